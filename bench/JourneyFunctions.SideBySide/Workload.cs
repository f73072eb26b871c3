using System.Globalization;
using System.Text.Json.Nodes;

namespace JourneyFunctions.SideBySide;

/// <summary>
/// The abandoned-cart workload every engine runs: each contact's cart starts a run that waits <see cref="Grace"/>,
/// sends the first reminder, then waits for an order raced with <see cref="OrderTimeout"/>; every other contact orders
/// as soon as its reminder went out, the rest time out and get the second reminder (and, on the product, the
/// <c>cart-abandoner</c> tag). Durable timers cannot run on a virtual clock in DTFx, so all three engines use the same
/// short real timers and the wall time is comparable.
/// </summary>
public sealed record Workload(int Contacts, TimeSpan Grace, TimeSpan OrderTimeout, int Concurrency, TimeSpan DtfxPollingInterval, string ConnectionString, string RepoRoot)
{
    public const string CartEvent = "cart.updated";

    public const string OrderEvent = "order.placed";

    /// <summary>Journey steps of one run that orders: grace, reminder-1, wait-order, end.</summary>
    public const int StepsWhenOrdered = 4;

    /// <summary>Journey steps of one run that times out: grace, reminder-1, wait-order, vip-check, reminder-2, tag, end.</summary>
    public const int StepsWhenTimedOut = 7;

    public string TemplatesDirectory => Path.Combine(RepoRoot, "templates");

    public int Ordering => (Contacts + 1) / 2;

    /// <summary>One reminder per contact, a second one per contact that did not order.</summary>
    public int ExpectedEmails => Contacts + (Contacts - Ordering);

    /// <summary>The journey steps the workload visits, the same count for every engine (the DTFx orchestration mirrors them).</summary>
    public long Steps => ((long)Ordering * StepsWhenOrdered) + ((long)(Contacts - Ordering) * StepsWhenTimedOut);

    public static bool Orders(int index) => index % 2 == 0;

    public static string ContactId(string prefix, int index) => prefix + "-" + index.ToString(CultureInfo.InvariantCulture);

    public static int IndexOf(string contactId) => int.Parse(contactId[(contactId.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);

    /// <summary>
    /// journeys/abandoned-cart.json as shipped, with its two waits shortened to the workload's (grace and order
    /// timeout) and its send window removed, so reminders go out whatever the day and hour of the run.
    /// </summary>
    public string AbandonedCartJson()
    {
        var journey = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot, "journeys", "abandoned-cart.json")))!.AsObject();
        journey.Remove("sendWindow");
        foreach (var step in journey["steps"]!.AsArray().Select(s => s!.AsObject()))
        {
            switch ((string?)step["id"])
            {
                case "grace":
                    step["duration"] = Iso(Grace);
                    break;
                case "wait-order":
                    step["timeout"] = Iso(OrderTimeout);
                    break;
                default:
                    break;
            }
        }

        return journey.ToJsonString();
    }

    private static string Iso(TimeSpan span) => "PT" + span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "S";
}

/// <summary>What one engine did in one round.</summary>
public sealed record EngineResult(string Engine, int Round, int Completed, double Seconds, IReadOnlyDictionary<string, long> RequestsByKind, int Emails, long Steps, double LoadBefore, double LoadAfter)
{
    public long Requests => RequestsByKind.Values.Sum();

    public double RunsPerSecond => Seconds > 0 ? Completed / Seconds : 0;

    public double RequestsPerRun => Completed > 0 ? (double)Requests / Completed : 0;

    public double RequestsPerStep => Steps > 0 ? (double)Requests / Steps : 0;
}
