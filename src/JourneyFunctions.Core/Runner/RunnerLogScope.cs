using System.Collections;
using System.Globalization;
using System.Text;

namespace JourneyFunctions.Core.Runner;

/// <summary>
/// The log scope of one input the runner handles (<c>contactId</c> and <c>eventId</c>/<c>eventName</c>, or
/// <c>runId</c>): a value, so a process whose loggers keep no scopes (the simulator, <c>journeys load</c>) allocates
/// nothing for it per input. Loggers that keep scopes read it as key/value pairs; its text is <c>key:value</c> pairs.
/// </summary>
internal readonly struct RunnerLogScope(string key1, string value1, string key2, string value2, string? key3 = null, string? value3 = null)
    : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => key3 is null ? 2 : 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(key1, value1),
        1 => new(key2, value2),
        2 when key3 is not null => new(key3, value3),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (key, value) in this)
        {
            text.Append(text.Length == 0 ? string.Empty : " ").Append(CultureInfo.InvariantCulture, $"{key}:{value}");
        }

        return text.ToString();
    }
}
