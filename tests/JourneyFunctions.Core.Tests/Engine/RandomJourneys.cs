using System.Globalization;
using System.Text;
using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Core.Tests.Engine;

/// <summary>
/// Builds valid journeys and input sequences from arrays of integers that FsCheck generates (and shrinks). Each step
/// code picks a step kind and its settings; jumps go forward, except from a timed wait back to an earlier step, so
/// every loop contains a wait (what validation demands). Inputs are what a host feeds: the timer the run waits for,
/// the result of its activity (success, skip, deferral, failure), stale timers and results, and events that may
/// match goals, exits, waits and the keyed trigger.
/// </summary>
internal static class RandomJourneys
{
    public static readonly DateTimeOffset Start = new(2026, 3, 27, 22, 30, 0, TimeSpan.Zero);

    private static readonly string[] EventNames =
        ["order.placed", "review.submitted", "cart.updated", "cart.emptied", SystemEvents.EmailOpened, SystemEvents.EmailClicked, "page.viewed"];

    private static readonly string[] Conditions =
    [
        """{"tag":"vip"}""",
        """{"field":"trigger.total","greaterThan":50}""",
        """{"not":{"field":"contact.country","in":["ES","PT"]}}""",
        """{"any":[{"field":"event.total","lessThan":20},{"field":"trigger.when","after":"-P1D"}]}""",
    ];

    /// <summary>A condition; the engagement and waited-event ones name a real email or waitForEvent step.</summary>
    private static string Condition(int p, int[] kinds)
    {
        var pick = p % (Conditions.Length + 2);
        var email = Array.IndexOf(kinds, 0);
        var waitForEvent = Array.IndexOf(kinds, 4);
        if (pick == Conditions.Length && email >= 0)
        {
            return $$"""{"any":[{"emailOpened":"s{{email}}"},{"emailClicked":"s{{email}}"}]}""";
        }

        if (pick == Conditions.Length + 1 && waitForEvent >= 0)
        {
            return $$"""{"all":[{"field":"events.s{{waitForEvent}}.total","exists":true},{"field":"events.s{{waitForEvent}}.total","greaterThan":10}]}""";
        }

        return Conditions[pick % Conditions.Length];
    }

    public static string JourneyJson(int[] codes, int flags)
    {
        flags &= 0x7fffffff;
        var n = Math.Clamp(codes.Length, 1, 16);
        var steps = new List<string>(n);
        var kinds = new int[n];
        for (var i = 0; i < n; i++)
        {
            kinds[i] = (i < codes.Length ? codes[i] & 0x7fffffff : 0) % 11;
            if (kinds[i] == 10 && i != n - 1)
            {
                kinds[i] = 0;
            }
        }

        for (var i = 0; i < n; i++)
        {
            var c = i < codes.Length ? codes[i] & 0x7fffffff : 0;
            steps.Add(Step(i, n, kinds, c / 11));
        }

        var sb = new StringBuilder();
        sb.Append("""{"id":"random","name":"Random","version":1,"trigger":{"event":"cart.updated","key":"cartId"}""");
        if ((flags & 1) != 0)
        {
            sb.Append(""","sendWindow":{"from":"09:00","to":"20:00","days":["mon","tue","wed","thu","fri"]}""");
        }

        if ((flags & 2) != 0)
        {
            sb.Append(""","exitWhen":[{"event":"cart.emptied"}]""");
        }

        if ((flags & 4) != 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $$""","goal":{"event":"order.placed","within":"P{{1 + ((flags >> 4) % 10)}}D","endsRun":{{((flags & 8) != 0 ? "true" : "false")}}}""");
        }

        sb.Append(""","steps":[""").AppendJoin(",", steps).Append("]}");
        return sb.ToString();
    }

    public static JourneyDefinition Journey(int[] codes, int flags) => JourneyFunctions.Core.Serialization.JourneyJson.DeserializeJourney(JourneyJson(codes, flags));

    public static Contact Contact(int flags) => new()
    {
        Id = "c-1",
        Email = "c@example.com",
        TimeZone = (flags & 32) != 0 ? "Europe/Madrid" : "America/New_York",
        Tags = new HashSet<string>((flags & 64) != 0 ? ["vip"] : [], StringComparer.OrdinalIgnoreCase),
        Fields = new Dictionary<string, JsonElement> { ["country"] = JsonSerializer.SerializeToElement((flags & 128) != 0 ? "ES" : "US") },
    };

    public static ContactEvent Trigger() => new()
    {
        Id = "t-0",
        ContactId = "c-1",
        Name = "cart.updated",
        Data = JsonDocument.Parse("""{"cartId":"k-1","total":75,"when":"2026-03-30T09:00:00Z"}""").RootElement.Clone(),
        OccurredAt = Start,
    };

    /// <summary>The input a code stands for, given the run's current state; the clock only moves forward.</summary>
    public static (MachineInput Input, DateTimeOffset Now) Input(int code, RunState state, DateTimeOffset now, int index)
    {
        var c = code & 0x7fffffff;
        var p = c / 8;
        now = now.AddMinutes(1 + (p % 90));
        switch (c % 8)
        {
            case 0:
            case 1:
            case 2:
                // What the run is waiting for: its timer or its activity's result.
                if (state.Status == RunStatus.Waiting && state.Wait is { } wait)
                {
                    return (new TimerFired(wait.Sequence), wait.Until is { } until && until > now ? until : now);
                }

                return (new ActivityCompleted(state.Sequence, Outcome(p, state, now)), now);
            case 3:
                return (new ActivityCompleted(state.Sequence, ActivityOutcome.Succeeded()), now);
            case 4:
                // Stale: an old timer or a result for something never asked.
                return (p % 2 == 0 ? new TimerFired(state.Sequence - 1 - (p % 3)) : new ActivityCompleted(state.Sequence + 1 + (p % 2), ActivityOutcome.Succeeded()), now);
            case 5:
            case 6:
                return (new EventReceived(Event(p, state, now, index)), now);
            default:
                return (p % 17 == 0 ? new CancelRequested("unsubscribed") : new TimerFired(state.Wait?.Sequence ?? state.Sequence), now);
        }
    }

    private static ActivityOutcome Outcome(int p, RunState state, DateTimeOffset now) => (p % 10) switch
    {
        < 6 => ActivityOutcome.Succeeded(state.Activity is { } a && a.StepId.Length > 0 ? JsonDocument.Parse("""{"total":12,"code":"X"}""").RootElement.Clone() : null),
        6 or 7 => ActivityOutcome.Skipped("the address is suppressed"),
        8 => ActivityOutcome.Deferred(now.AddHours(1 + (p % 5)), "frequency cap"),
        _ => p % 7 == 0 ? ActivityOutcome.Failed("webhook answered 400") : ActivityOutcome.Succeeded(),
    };

    private static ContactEvent Event(int p, RunState state, DateTimeOffset now, int index)
    {
        var name = EventNames[p % EventNames.Length];
        var total = (p / 7) % 120;
        var data = name switch
        {
            "cart.updated" => $$"""{"cartId":"{{(p % 2 == 0 ? "k-1" : "k-2")}}","total":{{total}}}""",
            SystemEvents.EmailOpened or SystemEvents.EmailClicked => $$"""{"runId":"{{(p % 3 == 0 ? "other" : state.RunId)}}","stepId":"s{{p % 4}}"}""",
            _ => $$"""{"total":{{total}},"orderId":"o-{{index}}"}""",
        };
        return new ContactEvent
        {
            Id = "e-" + index.ToString(CultureInfo.InvariantCulture),
            ContactId = "c-1",
            Name = name,
            Data = JsonDocument.Parse(data).RootElement.Clone(),
            OccurredAt = now,
        };
    }

    private static string Step(int i, int n, int[] kinds, int p)
    {
        var kind = kinds[i];
        // Every step keeps a route to the next one (its default), so every step is reachable; branching steps may
        // also jump ahead, and a waitForEvent may jump back (a loop that contains a wait).
        var id = "s" + i.ToString(CultureInfo.InvariantCulture);
        string Forward(int salt)
        {
            var pick = (p / (salt + 1)) % (n - i);
            return pick == 0 ? "null" : "\"s" + (i + pick).ToString(CultureInfo.InvariantCulture) + "\"";
        }

        string Backward() => i > 0 ? "\"s" + (p % i).ToString(CultureInfo.InvariantCulture) + "\"" : "null";

        var (onEvent, onTimeout) = (p % 3) switch
        {
            0 => (Backward(), "null"),
            1 => (Forward(2), "null"),
            _ => ("null", Backward()),
        };
        return kind switch
        {
            0 => $$"""{"id":"{{id}}","type":"email","template":"t{{i}}"}""",
            1 => $$"""{"id":"{{id}}","type":"wait","duration":"{{(p % 2 == 0 ? $"PT{1 + (p % 30)}H" : $"P{1 + (p % 5)}D")}}"}""",
            2 => $$"""{"id":"{{id}}","type":"wait","until":{"time":"{{(p % 24):00}}:30","days":["{{(p % 3 == 0 ? "sat" : "mon")}}","wed"]} }""",
            3 => $$"""{"id":"{{id}}","type":"wait","relativeTo":"trigger.when","offset":"{{(p % 2 == 0 ? "-P1D" : "PT2H")}}"{{(p % 3 == 0 ? ",\"duration\":\"P1D\"" : "")}}}""",
            4 => $$"""{"id":"{{id}}","type":"waitForEvent","event":"{{(p % 2 == 0 ? "order.placed" : "review.submitted")}}","timeout":"P{{1 + (p % 3)}}D","onEvent":{{onEvent}},"onTimeout":{{onTimeout}}{{(p % 5 == 0 ? ",\"filter\":{\"field\":\"event.total\",\"greaterThan\":30}" : "")}}}""",
            5 => $$"""{"id":"{{id}}","type":"branch","if":{{Condition(p, kinds)}},"then":{{Forward(1)}}}""",
            6 => $$"""{"id":"{{id}}","type":"split","paths":[{"percent":{{p % 101}},"next":{{Forward(1)}},"label":"A"},{"percent":{{100 - (p % 101)}},"label":"B"}]}""",
            7 => $$"""{"id":"{{id}}","type":"tags","add":["t{{p % 3}}"],"remove":["t{{(p + 1) % 3}}"]}""",
            8 => $$"""{"id":"{{id}}","type":"setField","field":"f{{p % 3}}","value":{{p % 100}}}""",
            9 => $$"""{"id":"{{id}}","type":"webhook","url":"https://hooks.example/{{i}}"}""",
            _ => $$"""{"id":"{{id}}","type":"exit","reason":"r{{i}}"}""",
        };
    }
}
