using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace JourneyFunctions.Core.Engine;

/// <summary>
/// The data of a run's received events (<see cref="RunState.Events"/>) while there are few of them: the pairs in one
/// array, in the order they were first received (as a <see cref="Dictionary{TKey,TValue}"/> enumerates them), looked
/// up by ordinal comparison. Each event that wakes a wait makes a new one (states are immutable), and a one-entry
/// <see cref="Dictionary{TKey,TValue}"/> costs about three times the memory. Read-only: it implements the non-generic
/// <see cref="IDictionary"/> too, for code that reads any dictionary through it (template values), and refuses writes.
/// </summary>
internal sealed class EventDictionary : IReadOnlyDictionary<string, JsonElement>, IDictionary
{
    /// <summary>Up to this many events the array is kept; past it the machine copies into a dictionary.</summary>
    public const int MaxCount = 8;

    private readonly KeyValuePair<string, JsonElement>[] _items;

    private EventDictionary(KeyValuePair<string, JsonElement>[] items) => _items = items;

    public int Count => _items.Length;

    public IEnumerable<string> Keys => _items.Select(static pair => pair.Key);

    public IEnumerable<JsonElement> Values => _items.Select(static pair => pair.Value);

    bool IDictionary.IsFixedSize => true;

    bool IDictionary.IsReadOnly => true;

    ICollection IDictionary.Keys => _items.Select(static pair => pair.Key).ToArray();

    ICollection IDictionary.Values => _items.Select(static pair => (object)pair.Value).ToArray();

    bool ICollection.IsSynchronized => false;

    object ICollection.SyncRoot => _items;

    public JsonElement this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No event data for step {key}.");

    object? IDictionary.this[object key]
    {
        get => key is string s && TryGetValue(s, out var value) ? value : null;
        set => throw ReadOnly();
    }

    /// <summary>
    /// <paramref name="events"/> with <paramref name="key"/> set to <paramref name="value"/> (replaced in place when
    /// present, else added last), or null when the result would hold more than <see cref="MaxCount"/> events.
    /// </summary>
    public static EventDictionary? With(IReadOnlyDictionary<string, JsonElement> events, string key, JsonElement value)
    {
        var count = events.Count;
        if (count > MaxCount || (count == MaxCount && !events.ContainsKey(key)))
        {
            return null;
        }

        KeyValuePair<string, JsonElement>[] items;
        if (events is EventDictionary small)
        {
            var at = small.IndexOf(key);
            items = new KeyValuePair<string, JsonElement>[at < 0 ? count + 1 : count];
            small._items.CopyTo(items, 0);
            items[at < 0 ? count : at] = new(key, value);
            return new EventDictionary(items);
        }

        var list = new List<KeyValuePair<string, JsonElement>>(count + 1);
        var replaced = false;
        foreach (var pair in events)
        {
            if (string.Equals(pair.Key, key, StringComparison.Ordinal))
            {
                list.Add(new(key, value));
                replaced = true;
            }
            else
            {
                list.Add(pair);
            }
        }

        if (!replaced)
        {
            list.Add(new(key, value));
        }

        return new EventDictionary([.. list]);
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out JsonElement value)
    {
        var at = IndexOf(key);
        value = at < 0 ? default : _items[at].Value;
        return at >= 0;
    }

    public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, JsonElement>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    IDictionaryEnumerator IDictionary.GetEnumerator() => _items.ToDictionary(static pair => pair.Key, static pair => pair.Value, StringComparer.Ordinal).GetEnumerator();

    bool IDictionary.Contains(object key) => key is string s && ContainsKey(s);

    void IDictionary.Add(object key, object? value) => throw ReadOnly();

    void IDictionary.Clear() => throw ReadOnly();

    void IDictionary.Remove(object key) => throw ReadOnly();

    void ICollection.CopyTo(Array array, int index)
    {
        ArgumentNullException.ThrowIfNull(array);
        for (var i = 0; i < _items.Length; i++)
        {
            array.SetValue(new DictionaryEntry(_items[i].Key, _items[i].Value), index + i);
        }
    }

    private static NotSupportedException ReadOnly() => new("A run's event data is read-only.");

    private int IndexOf(string key)
    {
        for (var i = 0; i < _items.Length; i++)
        {
            if (string.Equals(_items[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
