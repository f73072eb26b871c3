using System.Collections;
using System.Globalization;
using System.Net;
using DotLiquid;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Infrastructure.Templates;

/// <summary>
/// Filters the email templates add to standard Liquid. Everything formats culture-invariantly: an email's look must
/// not depend on the culture of the server that renders it.
/// </summary>
public static class LiquidFilters
{
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
    /// <c>{{ 1234.5 | money: "EUR" }}</c> gives <c>€1,234.50</c>. The argument is an ISO 4217 code (known codes get
    /// their symbol and minor units, others are written before the amount: <c>CZK 12.00</c>) or a symbol used as is
    /// (<c>money: "$"</c>). Without an argument: <c>1,234.50</c>. Negative amounts put the minus before the symbol.
    /// A value it cannot format (text that is not a plain number such as <c>"29,95"</c>, a number beyond decimal range,
    /// an object) renders as given, or empty for an object or a list; the filter never throws.
    /// </summary>
    public static string Money(object? input, object? currency = null)
    {
        if (!TryNumber(input, out var amount))
        {
            // Never throws on data: text is given as is, a number beyond decimal range as written, an object or a list empty.
            return Format(input);
        }

        var code = System.Convert.ToString(currency, CultureInfo.InvariantCulture)?.Trim() ?? string.Empty;
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

    /// <summary>
    /// <c>{{ trigger.placedAt | date: "%B %-d, %Y" }}</c>: formats an ISO 8601 string (or "now"/"today", meaning the
    /// model's <c>now</c>) with a Ruby strftime format (when it has a %) or a .NET format. An optional IANA zone
    /// (<c>date: "%H:%M", contact.timeZone</c>) converts the instant first; unknown zones leave it in its own offset.
    /// Input that is not a date is returned unchanged.
    /// </summary>
    public static object? Date(Context context, object? input, string? format) => Date(context, input, format, null);

    /// <inheritdoc cref="Date(Context, object?, string?)"/>
    public static object? Date(Context context, object? input, string? format, string? timeZone)
    {
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
            return value.ToString("O", CultureInfo.InvariantCulture);
        }

        return format.Contains('%', StringComparison.Ordinal)
            ? StrFTime(value, format)
            : value.ToString(format, CultureInfo.InvariantCulture);
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

    // Arithmetic in decimals. They replace DotLiquid's own math filters, which compile an expression tree on every call
    // (about 6 ms each, so a three-line cart took 20 ms to render) and mix doubles into money.

    /// <summary><c>{{ item.price | times: item.quantity }}</c>; input that is not a number is returned unchanged.</summary>
    public static object? Times(object? input, object? operand) => Arithmetic(input, operand, static (a, b) => a * b);

    public static object? Plus(object? input, object? operand) => Arithmetic(input, operand, static (a, b) => a + b);

    public static object? Minus(object? input, object? operand) => Arithmetic(input, operand, static (a, b) => a - b);

    /// <summary>
    /// As in Liquid: an integer divided by an integer is floored (<c>10 | divided_by: 4</c> is 2, <c>10.0 | divided_by: 4</c>
    /// is 2.5); division by zero leaves the input.
    /// </summary>
    public static object? DividedBy(object? input, object? operand)
    {
        if (TryNumber(operand, out var divisor) && divisor == 0)
        {
            return input;
        }

        var integral = IsIntegral(input) && IsIntegral(operand);
        return Arithmetic(input, operand, (a, b) => integral ? Math.Floor(a / b) : a / b);
    }

    public static object? Modulo(object? input, object? operand) =>
        TryNumber(operand, out var divisor) && divisor == 0 ? input : Arithmetic(input, operand, static (a, b) => a % b);

    /// <summary>Identity; in an HTML body, <c>{{ x | raw }}</c> as the last filter turns off HTML encoding of that output.</summary>
    public static object? Raw(object? input) => input;

    /// <summary>The HTML encoder appended to every output of an HTML body (see <see cref="LiquidTemplateRenderer"/>).</summary>
    public static string AutoEscape(object? input) => WebUtility.HtmlEncode(Format(input));

    /// <summary>How a value prints in an HTML body: strings as is, numbers invariant, true/false, lists concatenated, objects empty.</summary>
    internal static string Format(object? input) => input switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        Hash => string.Empty,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable e and not Hash => string.Concat(e.Cast<object?>().Select(Format)),
        _ => System.Convert.ToString(input, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    /// <summary>Integer literals and JSON numbers written without a fraction (a decimal of scale 0).</summary>
    private static bool IsIntegral(object? value) => value switch
    {
        int or long or short or byte => true,
        decimal d => d.Scale == 0,
        string s => decimal.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        _ => false,
    };

    /// <summary>The operation in decimals; input that is not a number, or a result beyond decimal range, gives the input back.</summary>
    private static object? Arithmetic(object? input, object? operand, Func<decimal, decimal, decimal> operation)
    {
        if (!TryNumber(input, out var a) || !TryNumber(operand, out var b))
        {
            return input;
        }

        try
        {
            return operation(a, b);
        }
        catch (OverflowException)
        {
            return input;
        }
    }

    /// <summary>
    /// A plain number: decimals, integers, doubles within decimal range, and text in invariant notation (<c>29.95</c>,
    /// <c>-3</c>, <c>1e3</c>). Text with a group separator is not a number: <c>"29,95"</c> is not 2995.
    /// </summary>

    private static bool TryNumber(object? input, out decimal amount)
    {
        switch (input)
        {
            case decimal d:
                amount = d;
                return true;
            case int or long or short or byte:
                amount = System.Convert.ToDecimal(input, CultureInfo.InvariantCulture);
                return true;
            case double or float:
                var value = System.Convert.ToDouble(input, CultureInfo.InvariantCulture);
                if (double.IsFinite(value) && Math.Abs(value) < 7.9e28)
                {
                    amount = (decimal)value;
                    return true;
                }

                amount = 0;
                return false;
            case string s:
                return decimal.TryParse(s, PlainNumber, CultureInfo.InvariantCulture, out amount);
            default:
                amount = 0;
                return false;
        }
    }

    private static bool TryDate(Context context, object? input, out DateTimeOffset value)
    {
        switch (input)
        {
            case DateTimeOffset dto:
                value = dto;
                return true;
            case DateTime dt:
                value = new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt);
                return true;
            case string s when s.Equals("now", StringComparison.OrdinalIgnoreCase) || s.Equals("today", StringComparison.OrdinalIgnoreCase):
                return TryDate(context, context["now"] is string now && !now.Equals(s, StringComparison.OrdinalIgnoreCase) ? now : null, out value);
            case string s:
                return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out value);
            default:
                value = default;
                return false;
        }
    }
}
