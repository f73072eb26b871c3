using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Engine;

/// <summary>
/// The run key of a keyed trigger (<c>"key": "cartId"</c>): the value at that path in the event's data (dots walk into
/// objects), a string or a number rendered invariantly. The router uses it to find the previous run for the re-entry
/// policy and the machine to name the run, so both must read it the same way: this is that one place.
/// </summary>
public static class TriggerKeys
{
    /// <summary>
    /// True with the key (null for an unkeyed journey) when the event can start a run; false when the journey is keyed
    /// and the event lacks a usable key value.
    /// </summary>
    public static bool TryGet(JourneyDefinition journey, ContactEvent contactEvent, out string? key)
    {
        key = null;
        var path = journey.Trigger.Key;
        if (string.IsNullOrEmpty(path))
        {
            return true;
        }

        if (contactEvent.Data is not { ValueKind: JsonValueKind.Object } data)
        {
            return false;
        }

        // Segment by segment over the path's characters (no split array or segment strings: the router and the
        // machine read the key of every trigger event).
        var current = data;
        var rest = path.AsSpan();
        while (true)
        {
            var dot = rest.IndexOf('.');
            var segment = dot < 0 ? rest : rest[..dot];
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return false;
            }

            if (dot < 0)
            {
                break;
            }

            rest = rest[(dot + 1)..];
        }

        key = current.ValueKind switch
        {
            JsonValueKind.String => current.GetString(),
            JsonValueKind.Number => current.GetRawText(),
            JsonValueKind.True or JsonValueKind.False => current.GetBoolean().ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
            _ => null,
        };
        return !string.IsNullOrEmpty(key);
    }
}
