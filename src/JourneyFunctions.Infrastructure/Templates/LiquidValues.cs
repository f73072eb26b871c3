using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using DotLiquid;
using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Infrastructure.Templates;

/// <summary>
/// Turns the objects a journey hands to a template (contacts, JSON event data, dictionaries, records) into the plain
/// values Liquid works with: objects become hashes, arrays become lists, every number becomes a decimal (so
/// <c>{{ item.price | times: item.quantity }}</c> is exact money arithmetic), dates become ISO 8601 strings that the
/// <c>date</c> filter understands.
/// </summary>
public static class LiquidValues
{
    /// <summary>Converts the top-level variables of a template model into a Liquid hash.</summary>
    public static Hash ToHash(IReadOnlyDictionary<string, object?> variables)
    {
        var hash = new Hash();
        foreach (var (key, value) in variables)
        {
            hash[key] = Convert(value);
        }

        return hash;
    }

    /// <summary>Converts one value; see the type summary for the mapping.</summary>
    public static object? Convert(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b,
        decimal d => d,
        int or long or short or byte or uint or ulong or ushort or sbyte => System.Convert.ToDecimal(value, CultureInfo.InvariantCulture),
        double or float => ToDecimal(System.Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        DateTimeOffset dto => dto.ToString("O", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("O", CultureInfo.InvariantCulture),
        TimeSpan ts => ts.ToString("c", CultureInfo.InvariantCulture),
        Enum e => JsonNamingPolicy.CamelCase.ConvertName(e.ToString()),
        Guid g => g.ToString("D"),
        Uri u => u.ToString(),
        JsonElement element => FromJson(element),
        Hash hash => hash,
        Contact contact => FromContact(contact),
        IDictionary dictionary => FromDictionary(dictionary),
        IEnumerable enumerable => FromEnumerable(enumerable),
        _ => FromObject(value),
    };

    /// <summary>
    /// A contact as templates see it: id, email, timeZone, tags, createdAt, lastActivityAt, every profile field at the
    /// top level (contact.firstName) and again under contact.fields.
    /// </summary>
    public static Hash FromContact(Contact contact)
    {
        var fields = new Hash();
        var hash = new Hash();
        foreach (var (key, value) in contact.Fields)
        {
            var converted = FromJson(value);
            fields[key] = converted;
            hash[key] = converted;
        }

        hash["id"] = contact.Id;
        hash["email"] = contact.Email;
        hash["timeZone"] = contact.TimeZone;
        hash["tags"] = contact.Tags.Order(StringComparer.Ordinal).Cast<object?>().ToList();
        hash["createdAt"] = Convert(contact.CreatedAt);
        hash["lastActivityAt"] = Convert(contact.LastActivityAt);
        hash["fields"] = fields;
        return hash;
    }

    /// <summary>JSON objects to hashes, arrays to lists, numbers to decimals (a double when out of decimal range).</summary>
    public static object? FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var hash = new Hash();
                foreach (var property in element.EnumerateObject())
                {
                    hash[property.Name] = FromJson(property.Value);
                }

                return hash;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select(FromJson).ToList();
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                // Beyond decimal range: a double; beyond double range (1e400): the number as written.
                return element.TryGetDecimal(out var d) ? d : element.TryGetDouble(out var dbl) && double.IsFinite(dbl) ? dbl : element.GetRawText();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }

    private static decimal? ToDecimal(double value) =>
        double.IsFinite(value) && Math.Abs(value) < 7.9e28 ? (decimal)value : null;

    private static Hash FromDictionary(IDictionary dictionary)
    {
        var hash = new Hash();
        foreach (DictionaryEntry entry in dictionary)
        {
            hash[System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = Convert(entry.Value);
        }

        return hash;
    }

    private static object FromEnumerable(IEnumerable enumerable)
    {
        var items = enumerable.Cast<object?>().ToList();
        if (items.Count > 0 && items.TrueForAll(IsKeyValuePair))
        {
            var hash = new Hash();
            foreach (var item in items)
            {
                var type = item!.GetType();
                var key = type.GetProperty("Key")!.GetValue(item);
                hash[System.Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty] = Convert(type.GetProperty("Value")!.GetValue(item));
            }

            return hash;
        }

        return items.Select(Convert).ToList();
    }

    private static bool IsKeyValuePair(object? item) =>
        item is not null && item.GetType().IsGenericType && item.GetType().GetGenericTypeDefinition() == typeof(KeyValuePair<,>);

    private static Hash FromObject(object value)
    {
        var hash = new Hash();
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.CanRead)
            {
                hash[JsonNamingPolicy.CamelCase.ConvertName(property.Name)] = Convert(property.GetValue(value));
            }
        }

        return hash;
    }
}
