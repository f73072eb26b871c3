using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Fluid.Values;
using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Infrastructure.Templates;

/// <summary>
/// Turns the objects a journey hands to a template (contacts, JSON event data, dictionaries, records) into the plain
/// Liquid values Fluid works with: objects become dictionaries, arrays become lists, every number becomes a decimal
/// (so <c>{{ item.price | times: item.quantity }}</c> is exact money arithmetic), dates become ISO 8601 strings that
/// the <c>date</c> filter understands.
/// </summary>
/// <remarks>
/// Everything is converted to Fluid's own values here, never handed to Fluid as CLR objects: Fluid then has nothing to
/// reflect over (no member access strategy is involved, so no property of a CLR type can be reached from a template),
/// and text in the data is only ever a string value, never Liquid or HTML that something evaluates.
/// </remarks>
public static class LiquidValues
{
    /// <summary>Converts the top-level variables of a template model, one Liquid value per name.</summary>
    public static Dictionary<string, FluidValue> ToVariables(IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var converted = new Dictionary<string, FluidValue>(variables.Count, StringComparer.Ordinal);
        foreach (var (key, value) in variables)
        {
            converted[key] = Convert(value);
        }

        return converted;
    }

    /// <summary>Converts one value; see the type summary for the mapping.</summary>
    public static FluidValue Convert(object? value) => value switch
    {
        null => NilValue.Instance,
        FluidValue fluid => fluid,
        string s => StringValue.Create(s),
        bool b => BooleanValue.Create(b),
        decimal d => NumberValue.Create(d),
        int or long or short or byte or uint or ulong or ushort or sbyte => NumberValue.Create(System.Convert.ToDecimal(value, CultureInfo.InvariantCulture)),
        double or float => FromDouble(System.Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        DateTimeOffset dto => StringValue.Create(dto.ToString("O", CultureInfo.InvariantCulture)),
        DateTime dt => StringValue.Create(dt.ToString("O", CultureInfo.InvariantCulture)),
        TimeSpan ts => StringValue.Create(ts.ToString("c", CultureInfo.InvariantCulture)),
        Enum e => StringValue.Create(JsonNamingPolicy.CamelCase.ConvertName(e.ToString())),
        Guid g => StringValue.Create(g.ToString("D")),
        Uri u => StringValue.Create(u.ToString()),
        JsonElement element => FromJson(element),
        Contact contact => FromContact(contact),
        IDictionary dictionary => FromDictionary(dictionary),
        IEnumerable enumerable => FromEnumerable(enumerable),
        _ => FromObject(value),
    };

    /// <summary>
    /// A contact as templates see it: id, email, timeZone, tags, createdAt, lastActivityAt, every profile field at the
    /// top level (contact.firstName) and again under contact.fields.
    /// </summary>
    public static FluidValue FromContact(Contact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var fields = new Dictionary<string, FluidValue>(contact.Fields.Count, StringComparer.Ordinal);
        var hash = new Dictionary<string, FluidValue>(contact.Fields.Count + 7, StringComparer.Ordinal);
        foreach (var (key, value) in contact.Fields)
        {
            var converted = FromJson(value);
            fields[key] = converted;
            hash[key] = converted;
        }

        hash["id"] = StringValue.Create(contact.Id);
        hash["email"] = Convert(contact.Email);
        hash["timeZone"] = Convert(contact.TimeZone);
        hash["tags"] = ArrayValue.Create(contact.Tags.Order(StringComparer.Ordinal).Select(t => (FluidValue)StringValue.Create(t)).ToArray());
        hash["createdAt"] = Convert(contact.CreatedAt);
        hash["lastActivityAt"] = Convert(contact.LastActivityAt);
        hash["fields"] = Object(fields);
        return Object(hash);
    }

    /// <summary>
    /// JSON objects to dictionaries, arrays to lists, numbers to decimals; a number beyond decimal range stays the
    /// text it is as a number of its own (1E+30, 1e400), which no filter takes for a number it can compute with.
    /// </summary>
    public static FluidValue FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var hash = new Dictionary<string, FluidValue>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    hash[property.Name] = FromJson(property.Value);
                }

                return Object(hash);
            case JsonValueKind.Array:
                var items = new FluidValue[element.GetArrayLength()];
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    items[i++] = FromJson(item);
                }

                return ArrayValue.Create(items);
            case JsonValueKind.String:
                return StringValue.Create(element.GetString() ?? string.Empty);
            case JsonValueKind.Number:
                // Beyond decimal range: as a double prints (1E+30); beyond double range (1e400): the number as written.
                return element.TryGetDecimal(out var d)
                    ? NumberValue.Create(d)
                    : element.TryGetDouble(out var dbl) && double.IsFinite(dbl) ? FromDouble(dbl) : StringValue.Create(element.GetRawText());
            case JsonValueKind.True:
                return BooleanValue.True;
            case JsonValueKind.False:
                return BooleanValue.False;
            default:
                return NilValue.Instance;
        }
    }

    /// <summary>A Liquid object over a dictionary the caller no longer changes (no copy is made).</summary>
    internal static DictionaryValue Object(Dictionary<string, FluidValue> values) => DictionaryValue.Create(new Indexable(values));

    private static FluidValue FromDouble(double value) =>
        double.IsFinite(value) && Math.Abs(value) < 7.9e28
            ? NumberValue.Create((decimal)value)
            : StringValue.Create(value.ToString(CultureInfo.InvariantCulture));

    private static DictionaryValue FromDictionary(IDictionary dictionary)
    {
        var hash = new Dictionary<string, FluidValue>(dictionary.Count, StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dictionary)
        {
            hash[System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = Convert(entry.Value);
        }

        return Object(hash);
    }

    private static FluidValue FromEnumerable(IEnumerable enumerable)
    {
        var items = enumerable.Cast<object?>().ToList();
        if (items.Count > 0 && items.TrueForAll(IsKeyValuePair))
        {
            var hash = new Dictionary<string, FluidValue>(items.Count, StringComparer.Ordinal);
            foreach (var item in items)
            {
                var type = item!.GetType();
                var key = type.GetProperty("Key")!.GetValue(item);
                hash[System.Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty] = Convert(type.GetProperty("Value")!.GetValue(item));
            }

            return Object(hash);
        }

        return ArrayValue.Create(items.Select(Convert).ToArray());
    }

    private static bool IsKeyValuePair(object? item) =>
        item is not null && item.GetType().IsGenericType && item.GetType().GetGenericTypeDefinition() == typeof(KeyValuePair<,>);

    private static DictionaryValue FromObject(object value)
    {
        var hash = new Dictionary<string, FluidValue>(StringComparer.Ordinal);
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.CanRead)
            {
                hash[JsonNamingPolicy.CamelCase.ConvertName(property.Name)] = Convert(property.GetValue(value));
            }
        }

        return Object(hash);
    }

    /// <summary>Fluid's view of a dictionary, without the copy its own <see cref="FluidValueDictionaryFluidIndexable"/> makes.</summary>
    private sealed class Indexable(Dictionary<string, FluidValue> values) : IFluidIndexable
    {
        public int Count => values.Count;

        public IEnumerable<string> Keys => values.Keys;

        public bool TryGetValue(string name, out FluidValue value) => values.TryGetValue(name, out value!);
    }
}
