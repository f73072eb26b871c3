using System.Globalization;
using System.Net;
using Fluid;
using Fluid.Values;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Infrastructure.Templates;

/// <summary>
/// Filters the email templates add to standard Liquid (Fluid's own filters otherwise). Everything formats
/// culture-invariantly: an email's look must not depend on the culture of the server that renders it. No filter here
/// throws on data: a value it cannot use is given back as it came (or, printed, as <see cref="Format"/> prints it).
/// </summary>
public static class LiquidFilters
{
    /// <summary>The filters that take numbers: validation names them with the variables they are applied to.</summary>
    public static IReadOnlySet<string> NumericFilters { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "money", "times", "plus", "minus", "divided_by", "modulo", "round", "ceil", "floor", "abs", "at_least", "at_most",
    };

    /// <summary>The filter the renderer appends to every output of an HTML body: prints as <see cref="Format"/>, HTML-encoded.</summary>
    internal const string AutoEscapeFilter = "auto_escape";

    /// <summary>The filter the renderer appends to every output of a subject or text part: prints as <see cref="Format"/>.</summary>
    internal const string AutoFormatFilter = "auto_format";

    private const NumberStyles PlainNumber = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;


    private static readonly Dictionary<string, (string Symbol, int Decimals)> Currencies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["USD"] = ("$", 2),
        ["EUR"] = ("€", 2),
        ["GBP"] = ("£", 2),
        ["JPY"] = ("¥", 0),
        ["CNY"] = ("CN¥", 2),
        ["INR"] = ("₹", 2),
        ["CAD"] = ("CA$", 2),
        ["AUD"] = ("A$", 2),
        ["NZD"] = ("NZ$", 2),
        ["MXN"] = ("MX$", 2),
        ["BRL"] = ("R$", 2),
        ["KRW"] = ("₩", 0),
        ["CHF"] = ("CHF ", 2),
        ["SEK"] = ("SEK ", 2),
        ["NOK"] = ("NOK ", 2),
        ["DKK"] = ("DKK ", 2),
        ["PLN"] = ("PLN ", 2),
    };

    /// <summary>
    /// <c>{{ trigger.placedAt | date: "%B %-d, %Y" }}</c>: formats an ISO 8601 string (or "now"/"today", meaning the
    /// model's <c>now</c>) with a Ruby strftime format (when it has a %) or a .NET format. An optional IANA zone
    /// (<c>date: "%H:%M", contact.timeZone</c>) converts the instant first; unknown zones leave it in its own offset.
    /// Input that is not a date is returned unchanged.
    /// </summary>
    public static FluidValue Date(TemplateContext context, FluidValue input, string? format, string? timeZone = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        if (!TryDate(context, input, out var value))
        {
            return input;
        }

        if (ZonedTime.Find(timeZone) is { } zone)
        {
            value = TimeZoneInfo.ConvertTime(value, zone);
        }

        if (string.IsNullOrEmpty(format))
        {
            return StringValue.Create(value.ToString("O", CultureInfo.InvariantCulture));
        }

        return StringValue.Create(format.Contains('%', StringComparison.Ordinal)
            ? StrFTime(value, format)
            : value.ToString(format, CultureInfo.InvariantCulture));
    }

    /// <summary>Ruby/C strftime with the directives emails use; <c>%-d</c> drops padding. Unknown directives stay as written.</summary>
    public static string StrFTime(DateTimeOffset value, string format)
    {
        var culture = CultureInfo.InvariantCulture;
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                builder.Append(format[i]);
                continue;
            }

            var unpadded = format[i + 1] == '-' && i + 2 < format.Length;
            var directive = format[unpadded ? i + 2 : i + 1];
            string Pad(int number, int width = 2) => unpadded ? number.ToString(culture) : number.ToString(new string('0', width), culture);
            string? piece = directive switch
            {
                'Y' => value.Year.ToString(culture),
                'y' => Pad(value.Year % 100),
                'm' => Pad(value.Month),
                'd' => Pad(value.Day),
                'e' => value.Day.ToString(culture).PadLeft(unpadded ? 0 : 2),
                'j' => Pad(value.DayOfYear, 3),
                'H' => Pad(value.Hour),
                'I' => Pad(value.Hour % 12 == 0 ? 12 : value.Hour % 12),
                'l' => (value.Hour % 12 == 0 ? 12 : value.Hour % 12).ToString(culture),
                'M' => Pad(value.Minute),
                'S' => Pad(value.Second),
                'p' => value.Hour < 12 ? "AM" : "PM",
                'P' => value.Hour < 12 ? "am" : "pm",
                'a' => value.ToString("ddd", culture),
                'A' => value.ToString("dddd", culture),
                'b' or 'h' => value.ToString("MMM", culture),
                'B' => value.ToString("MMMM", culture),
                'z' => value.ToString("zzz", culture).Replace(":", string.Empty, StringComparison.Ordinal),
                'Z' => value.Offset == TimeSpan.Zero ? "UTC" : value.ToString("zzz", culture),
                'F' => value.ToString("yyyy-MM-dd", culture),
                'T' => value.ToString("HH:mm:ss", culture),
                '%' => "%",
                _ => null,
            };
            if (piece is null)
            {
                builder.Append('%');
                continue;
            }

            builder.Append(piece);
            i += unpadded ? 2 : 1;
        }

        return builder.ToString();
    }

    /// <summary>Adds these filters to Fluid's, replacing Fluid's own money, date and arithmetic filters.</summary>
    internal static void Register(FilterCollection filters)
    {
        filters.AddFilter("money", static (input, arguments, context) => StringValue.Create(Money(input, arguments.At(0), context)));
        filters.AddFilter("date", static (input, arguments, context) =>
            Date(context, input, Text(arguments.At(0), context), Text(arguments.At(1), context)));
        filters.AddFilter("times", static (input, arguments, context) => Arithmetic(input, arguments.At(0), context, static (a, b) => a * b));
        filters.AddFilter("plus", static (input, arguments, context) => Arithmetic(input, arguments.At(0), context, static (a, b) => a + b));
        filters.AddFilter("minus", static (input, arguments, context) => Arithmetic(input, arguments.At(0), context, static (a, b) => a - b));
        filters.AddFilter("divided_by", static (input, arguments, context) => DividedBy(input, arguments.At(0), context));
        filters.AddFilter("modulo", static (input, arguments, context) => Modulo(input, arguments.At(0), context));
        filters.AddFilter("raw", static (input, _, context) => StringValue.Create(Format(input, context), false));
        filters.AddFilter(AutoEscapeFilter, static (input, _, context) => StringValue.Create(WebUtility.HtmlEncode(Format(input, context)), false));
        filters.AddFilter(AutoFormatFilter, static (input, _, context) => StringValue.Create(Format(input, context), false));
    }

    /// <summary>
    /// <c>{{ 1234.5 | money: "EUR" }}</c> gives <c>€1,234.50</c>. The argument is an ISO 4217 code (known codes get
    /// their symbol and minor units, others are written before the amount: <c>CZK 12.00</c>) or a symbol used as is
    /// (<c>money: "$"</c>). Without an argument: <c>1,234.50</c>. Negative amounts put the minus before the symbol.
    /// A value it cannot format (text that is not a plain number such as <c>"29,95"</c>, a number beyond decimal range,
    /// an object) renders as given, or empty for an object or a list; the filter never throws.
    /// </summary>
    public static string Money(object? input, object? currency = null) =>
        Money(LiquidValues.Convert(input), LiquidValues.Convert(currency), new TemplateContext());

    private static string Money(FluidValue input, FluidValue currency, TemplateContext context)
    {
        if (!TryNumber(input, context, out var amount))
        {
            // Never throws on data: text is given as is, a number beyond decimal range as written, an object or a list empty.
            return Format(input, context);
        }

        var code = Format(currency, context).Trim();
        string prefix;
        var decimals = 2;
        if (code.Length == 0)
        {
            prefix = string.Empty;
        }
        else if (Currencies.TryGetValue(code, out var known))
        {
            prefix = known.Symbol;
            decimals = known.Decimals;
        }
        else if (code.Length == 3 && code.All(char.IsAsciiLetter))
        {
            prefix = code.ToUpperInvariant() + " ";
        }
        else
        {
            prefix = code;
        }

        var rounded = Math.Round(Math.Abs(amount), decimals, MidpointRounding.AwayFromZero);
        var text = rounded.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return (amount < 0 ? "-" : string.Empty) + prefix + text;
    }

    // Arithmetic in decimals, never in doubles (money), and never an exception on data: input that is not a plain
    // number, or a result beyond decimal range, gives the input back.

    /// <summary>
    /// As in Liquid: an integer divided by an integer is floored (<c>10 | divided_by: 4</c> is 2, <c>10.0 | divided_by: 4</c>
    /// is 2.5); division by zero leaves the input.
    /// </summary>
    private static FluidValue DividedBy(FluidValue input, FluidValue operand, TemplateContext context)
    {
        if (TryNumber(operand, context, out var divisor) && divisor == 0)
        {
            return input;
        }

        var integral = IsIntegral(input, context) && IsIntegral(operand, context);
        return Arithmetic(input, operand, context, integral ? static (a, b) => Math.Floor(a / b) : static (a, b) => a / b);
    }

    private static FluidValue Modulo(FluidValue input, FluidValue operand, TemplateContext context) =>
        TryNumber(operand, context, out var divisor) && divisor == 0 ? input : Arithmetic(input, operand, context, static (a, b) => a % b);

    /// <summary>
    /// How a value prints: strings as is, numbers invariant and as precise as they came (45.00 stays 45.00), true/false,
    /// lists concatenated, objects empty (never a type name or a dump of the data).
    /// </summary>
    internal static string Format(FluidValue input, TemplateContext context) => input.Type switch
    {
        FluidValues.Nil or FluidValues.Empty or FluidValues.Blank or FluidValues.Dictionary or FluidValues.Object or FluidValues.Function => string.Empty,
        FluidValues.String => input.ToStringValue(context),
        FluidValues.Boolean => input.ToBooleanValue(context) ? "true" : "false",
        FluidValues.Number => input.ToNumberValue(context).ToString(CultureInfo.InvariantCulture),
        FluidValues.Array when input is ArrayValue array => string.Concat(array.Values.Select(v => Format(v, context))),
        _ => input.ToStringValue(context),
    };

    private static string? Text(FluidValue value, TemplateContext context) => value.IsNil() ? null : value.ToStringValue(context);

    /// <summary>Integer literals and JSON numbers written without a fraction (a decimal of scale 0).</summary>
    private static bool IsIntegral(FluidValue value, TemplateContext context) => value.Type switch
    {
        FluidValues.Number => value.ToNumberValue(context).Scale == 0,
        FluidValues.String => decimal.TryParse(value.ToStringValue(context), NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        _ => false,
    };

    private static FluidValue Arithmetic(FluidValue input, FluidValue operand, TemplateContext context, Func<decimal, decimal, decimal> operation)
    {
        if (!TryNumber(input, context, out var a) || !TryNumber(operand, context, out var b))
        {
            return input;
        }

        try
        {
            return NumberValue.Create(operation(a, b));
        }
        catch (OverflowException)
        {
            return input;
        }
    }

    /// <summary>
    /// A plain number: a Liquid number (decimals: the model holds every number within decimal range as one), or text
    /// in invariant notation (<c>29.95</c>, <c>-3</c>, <c>1e3</c>). Text with a group separator is not a number:
    /// <c>"29,95"</c> is not 2995; nor is a number beyond decimal range, which the model holds as its text.
    /// </summary>
    private static bool TryNumber(FluidValue input, TemplateContext context, out decimal amount)
    {
        switch (input.Type)
        {
            case FluidValues.Number:
                amount = input.ToNumberValue(context);
                return true;
            case FluidValues.String:
                return decimal.TryParse(input.ToStringValue(context), PlainNumber, CultureInfo.InvariantCulture, out amount);
            default:
                amount = 0;
                return false;
        }
    }

    private static bool TryDate(TemplateContext context, FluidValue input, out DateTimeOffset value)
    {
        switch (input.Type)
        {
            case FluidValues.DateTime when input.ToObjectValue(context) is DateTimeOffset dto:
                value = dto;
                return true;
            case FluidValues.DateTime when input.ToObjectValue(context) is DateTime dt:
                value = new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt);
                return true;
            case FluidValues.String:
                var text = input.ToStringValue(context);
                if (text.Equals("now", StringComparison.OrdinalIgnoreCase) || text.Equals("today", StringComparison.OrdinalIgnoreCase))
                {
                    var now = context.GetValue("now");
                    return TryDate(context, now.Type == FluidValues.String && !now.ToStringValue(context).Equals(text, StringComparison.OrdinalIgnoreCase) ? now : NilValue.Instance, out value);
                }

                return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out value);
            default:
                value = default;
                return false;
        }
    }
}
