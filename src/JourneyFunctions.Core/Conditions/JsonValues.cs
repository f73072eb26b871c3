using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Conditions;

/// <summary>
/// Reading and comparing the JSON values conditions test. Comparisons are deliberately forgiving about how a
/// storefront spells a value (<c>"49.90"</c> and <c>49.9</c> are equal; <c>"ES"</c> equals <c>"es"</c>) and strict about
/// dates: only ISO 8601, read in the contact's zone when the text carries no offset.
/// </summary>
public static class JsonValues
{
    private static readonly string[] LocalFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
    ];

    private static readonly string[] OffsetFormats =
    [
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>
    /// Parses an ISO 8601 date or date-time. With an offset (<c>Z</c>, <c>+02:00</c>) it is that instant; without one
    /// (<c>2026-03-29</c>, <c>2026-03-29T09:00</c>) it is that wall-clock time in <paramref name="zone"/>.
    /// </summary>
    public static bool TryParseInstant(string? text, TimeZoneInfo zone, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (DateTime.TryParseExact(s, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            instant = ZonedTime.FromLocal(local, zone);
            return true;
        }

        return DateTimeOffset.TryParseExact(s, OffsetFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }

    /// <summary>An instant from a JSON string holding an ISO date; false for anything else.</summary>
    public static bool TryGetInstant(JsonElement value, TimeZoneInfo zone, out DateTimeOffset instant)
    {
        instant = default;
        return value.ValueKind == JsonValueKind.String && TryParseInstant(value.GetString(), zone, out instant);
    }

    /// <summary>A number from a JSON number or a string holding one (invariant culture).</summary>
    public static bool TryGetNumber(JsonElement value, out decimal number)
    {
        number = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDecimal(out number) || TryDoubleAsDecimal(value, out number),
            JsonValueKind.String => decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
    }

    /// <summary>
    /// Loose equality: strings case-insensitively, numbers numerically (also a numeric string against a number),
    /// booleans (also "true"/"false" strings), null with null, arrays and objects structurally.
    /// </summary>
    public static bool LooseEquals(JsonElement value, JsonElement operand)
    {
        switch (value.ValueKind, operand.ValueKind)
        {
            case (JsonValueKind.String, JsonValueKind.String):
                return string.Equals(value.GetString(), operand.GetString(), StringComparison.OrdinalIgnoreCase);
            case (JsonValueKind.Number, JsonValueKind.Number):
            case (JsonValueKind.Number, JsonValueKind.String):
            case (JsonValueKind.String, JsonValueKind.Number):
                return TryGetNumber(value, out var a) && TryGetNumber(operand, out var b) && a == b;
            case (JsonValueKind.True or JsonValueKind.False, JsonValueKind.True or JsonValueKind.False):
                return value.ValueKind == operand.ValueKind;
            case (JsonValueKind.True or JsonValueKind.False, JsonValueKind.String):
                return bool.TryParse(operand.GetString(), out var ob) && ob == (value.ValueKind == JsonValueKind.True);
            case (JsonValueKind.String, JsonValueKind.True or JsonValueKind.False):
                return bool.TryParse(value.GetString(), out var vb) && vb == (operand.ValueKind == JsonValueKind.True);
            case (JsonValueKind.Null, JsonValueKind.Null):
                return true;
            case (JsonValueKind.Array, JsonValueKind.Array):
            case (JsonValueKind.Object, JsonValueKind.Object):
                return JsonElement.DeepEquals(value, operand);
            default:
                return false;
        }
    }

    /// <summary>
    /// Orders two values: numbers (or numeric strings) numerically, else ISO dates by instant. Null when they cannot
    /// be compared (then greaterThan and lessThan are both false).
    /// </summary>
    public static int? Compare(JsonElement value, JsonElement operand, TimeZoneInfo zone)
    {
        if (TryGetNumber(value, out var a) && TryGetNumber(operand, out var b))
        {
            return a.CompareTo(b);
        }

        if (TryGetInstant(value, zone, out var x) && TryGetInstant(operand, zone, out var y))
        {
            return x.CompareTo(y);
        }

        return null;
    }

    /// <summary>The value as short text for messages: a string as is, anything else as its JSON.</summary>
    public static string Display(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : value.GetRawText();

    /// <summary>Reads a dotted path (<c>items.0.sku</c>) below an element; array segments are indexes. Property names
    /// match exactly first, then case-insensitively.</summary>
    public static bool TryNavigate(JsonElement root, ReadOnlySpan<char> path, out JsonElement value)
    {
        value = root;
        while (!path.IsEmpty)
        {
            var dot = path.IndexOf('.');
            var segment = dot < 0 ? path : path[..dot];
            path = dot < 0 ? [] : path[(dot + 1)..];
            if (segment.IsEmpty)
            {
                return false;
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    if (value.TryGetProperty(segment, out var child) || TryGetPropertyIgnoreCase(value, segment, out child))
                    {
                        value = child;
                        continue;
                    }

                    return false;
                case JsonValueKind.Array:
                    if (int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < value.GetArrayLength())
                    {
                        value = value[index];
                        continue;
                    }

                    return false;
                default:
                    return false;
            }
        }

        return true;
    }

    private static bool TryGetPropertyIgnoreCase(JsonElement obj, ReadOnlySpan<char> name, out JsonElement value)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (name.Equals(property.Name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static bool TryDoubleAsDecimal(JsonElement value, out decimal number)
    {
        number = 0;
        if (!value.TryGetDouble(out var d) || double.IsNaN(d) || double.IsInfinity(d) || Math.Abs(d) > 7.9e28)
        {
            return false;
        }

        number = (decimal)d;
        return true;
    }
}
