using System.Globalization;
using System.Text;
using JourneyFunctions.Core.Conditions;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Maps;

/// <summary>
/// Draws a journey as a Mermaid flowchart (<c>flowchart TD</c>), the picture a marketer checks a JSON journey
/// against: the trigger and stage at the top, one node per step shaped by its kind, edges labelled with branch
/// outcomes, split percentages, waited events and timeouts, and a note with the exit rules and the goal. With
/// <see cref="JourneyStats"/> every node also shows live counts. Pure: the same journey and stats always give the
/// same text, so it can be asserted on and diffed.
/// </summary>
/// <remarks>
/// Node ids are generated (<c>trigger</c>, <c>s0</c>, <c>s1</c> ... by step position, <c>finish</c>), never the step
/// ids, because step ids may hold characters Mermaid reads as syntax (a dash starts an arrow). Every label is a quoted
/// string with <c>"</c>, <c>#</c>, <c>&lt;</c>, <c>&gt;</c> and the bracket characters written as Mermaid entity codes,
/// so no label can close its shape early.
/// </remarks>
public static class JourneyMap
{
    private const string Break = "<br/>";

    /// <summary>The Mermaid shape of each step kind: opening and closing delimiters around the quoted label.</summary>
    private static readonly Dictionary<string, (string Open, string Close)> Shapes = new(StringComparer.Ordinal)
    {
        ["email"] = ("[/", "/]"),
        ["wait"] = ("([", "])"),
        ["waitForEvent"] = ("{{", "}}"),
        ["branch"] = ("{", "}"),
        ["split"] = ("[/", "\\]"),
        ["tags"] = (">", "]"),
        ["setField"] = ("[(", ")]"),
        ["webhook"] = ("[[", "]]"),
        ["exit"] = ("(((", ")))"),
    };

    /// <summary>The journey as Mermaid flowchart text, ending with a newline.</summary>
    /// <param name="journey">The definition; it need not be valid (a dangling step id is drawn as a missing node).</param>
    /// <param name="stats">Live figures from <see cref="JourneyStatsService"/>, or null for the bare map.</param>
    public static string ToMermaid(JourneyDefinition journey, JourneyStats? stats = null)
    {
        ArgumentNullException.ThrowIfNull(journey);
        var sb = new StringBuilder();
        var steps = journey.Steps;
        var byStep = stats?.Steps.ToDictionary(s => s.StepId, StringComparer.Ordinal);
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var finishUsed = false;

        sb.Append("flowchart TD\n");
        sb.Append("    %% ").Append(Comment(journey.Name)).Append(" (").Append(Comment(journey.Id));
        if (journey.Version is { } version)
        {
            sb.Append(" v").Append(version.ToString(CultureInfo.InvariantCulture));
        }

        sb.Append(")\n");
        Node(sb, "trigger", "([", "])", TriggerLabel(journey, stats));
        var rules = RulesLabel(journey);
        if (rules is not null)
        {
            Node(sb, "rules", "[", "]", rules);
        }

        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var (open, close) = Shapes.TryGetValue(step.Kind, out var shape) ? shape : ("[", "]");
            var counts = byStep is not null && byStep.TryGetValue(step.Id, out var s) ? s : null;
            Node(sb, StepNode(i), open, close, StepLabel(step, counts));
        }

        if (rules is not null)
        {
            sb.Append("    trigger -.- rules\n");
        }

        if (steps.Count > 0)
        {
            sb.Append("    trigger --> ").Append(StepNode(0)).Append('\n');
        }
        else
        {
            sb.Append("    trigger --> finish\n");
            finishUsed = true;
        }

        var graph = StepGraph.Of(journey);
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            foreach (var edge in graph.Edges(i))
            {
                string to;
                if (edge.Target == StepGraph.Missing)
                {
                    missing.Add(edge.TargetId!);
                    to = MissingNode(edge.TargetId!);
                }
                else
                {
                    to = StepNodeOrFinish(edge.Target, steps.Count, ref finishUsed);
                }

                var label = EdgeLabel(step, edge);
                sb.Append("    ").Append(StepNode(i));
                sb.Append(label is null ? " --> " : " -->|" + Quote(label) + "| ");
                sb.Append(to).Append('\n');
            }
        }

        foreach (var target in missing)
        {
            Node(sb, MissingNode(target), "[", "]", "missing step: " + target);
        }

        if (finishUsed)
        {
            Node(sb, "finish", "((", "))", "end");
        }

        AppendClasses(sb, journey, rules is not null, missing, finishUsed);
        return sb.ToString();
    }

    /// <summary>Writes text so it can sit inside a quoted Mermaid label: entity codes for the characters Mermaid parses.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '#' => "#35;",
                '"' => "#quot;",
                '<' => "#lt;",
                '>' => "#gt;",
                '[' => "#91;",
                ']' => "#93;",
                '{' => "#123;",
                '}' => "#125;",
                '(' => "#40;",
                ')' => "#41;",
                '|' => "#124;",
                '`' => "#96;",
                '\r' => string.Empty,
                '\n' => " ",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }

    private static string StepNode(int index) => "s" + index.ToString(CultureInfo.InvariantCulture);

    private static string StepNodeOrFinish(int index, int count, ref bool finishUsed)
    {
        if (index < count)
        {
            return StepNode(index);
        }

        finishUsed = true;
        return "finish";
    }

    private static string MissingNode(string stepId)
    {
        // A stable id from the missing step's name, made of letters and digits only.
        var sb = new StringBuilder("missing_");
        foreach (var c in stepId)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        sb.Append('_').Append(((uint)StableHash(stepId)).ToString("x8", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    private static int StableHash(string text)
    {
        unchecked
        {
            var hash = (int)2166136261;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash;
        }
    }

    /// <summary>Label lines are escaped one by one and joined with a Mermaid line break.</summary>
    private static string Quote(IEnumerable<string> lines) => "\"" + string.Join(Break, lines.Select(Escape)) + "\"";

    private static string Quote(string line) => "\"" + Escape(line) + "\"";

    private static string Comment(string text) => text.Replace('\n', ' ').Replace('\r', ' ').Replace("%%", "%", StringComparison.Ordinal);

    private static void Node(StringBuilder sb, string id, string open, string close, IReadOnlyList<string> lines) =>
        sb.Append("    ").Append(id).Append(open).Append(Quote(lines)).Append(close).Append('\n');

    private static void Node(StringBuilder sb, string id, string open, string close, string line) =>
        Node(sb, id, open, close, [line]);

    private static List<string> TriggerLabel(JourneyDefinition journey, JourneyStats? stats)
    {
        var lines = new List<string> { journey.Name };
        if (journey.Stage is { } stage)
        {
            lines.Add("stage: " + StageName(stage));
        }

        var trigger = journey.Trigger;
        if (trigger.Event is not null)
        {
            var text = "when " + trigger.Event;
            if (trigger.Filter is { } filter)
            {
                text += " and " + ConditionEvaluator.Describe(filter);
            }

            lines.Add(text);
        }
        else if (trigger.TagAdded is not null)
        {
            lines.Add("when tag " + trigger.TagAdded + " is added");
        }
        else if (trigger.InactiveFor is not null)
        {
            lines.Add("when inactive for " + DurationText(trigger.InactiveFor));
        }

        if (trigger.Key is not null)
        {
            lines.Add("one run per " + trigger.Key);
        }

        if (journey.Reentry is { Mode: ReentryMode.AfterExit } reentry)
        {
            lines.Add(reentry.Cooldown is null ? "re-entry after exit" : "re-entry " + DurationText(reentry.Cooldown) + " after exit");
        }

        if (journey.SendWindow is { } window)
        {
            var days = window.Days is { Count: > 0 and < 7 } d ? " " + string.Join(",", d.Select(DayName)) : string.Empty;
            lines.Add("sends " + window.From + "-" + window.To + days);
        }

        if (stats is not null)
        {
            lines.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"entered {stats.Entered} · active {stats.Active} · goals {stats.Goals} · conversion {stats.ConversionRate * 100:0.#}%"));
        }

        return lines;
    }

    private static List<string>? RulesLabel(JourneyDefinition journey)
    {
        var lines = new List<string>();
        foreach (var rule in journey.ExitWhen)
        {
            lines.Add("exits on " + rule.Event + (rule.Filter is { } f ? " if " + ConditionEvaluator.Describe(f) : string.Empty));
        }

        if (journey.Goal is { } goal)
        {
            var text = "goal: " + goal.Event;
            if (goal.Filter is { } f)
            {
                text += " if " + ConditionEvaluator.Describe(f);
            }

            if (goal.Within is not null)
            {
                text += " within " + DurationText(goal.Within);
            }

            text += goal.EndsRun ? ", ends the run" : ", the run goes on";
            lines.Add(text);
        }

        return lines.Count == 0 ? null : lines;
    }

    private static List<string> StepLabel(Step step, StepStats? counts)
    {
        var lines = new List<string> { step.Label ?? step.Id };
        lines.Add(step switch
        {
            EmailStep e => "email: " + e.Template + (e.IgnoreSendWindow ? ", any time of day" : string.Empty),
            WaitStep w => WaitText(w),
            WaitForEventStep w => "wait for " + w.Event + (w.Filter is { } f ? " if " + ConditionEvaluator.Describe(f) : string.Empty) + ", up to " + DurationText(w.Timeout),
            BranchStep b => "if " + ConditionEvaluator.Describe(b.If),
            SplitStep => "split",
            TagsStep t => TagsText(t),
            SetFieldStep f => "set " + f.Field + " = " + (f.Value is { } v ? JsonValues.Display(v) : "nothing"),
            WebhookStep h => "webhook " + h.Method + " " + h.Url,
            ExitStep x => "exit" + (x.Reason is null ? string.Empty : ": " + x.Reason),
            _ => step.Kind,
        });
        if (step.Label is not null)
        {
            lines.Add("step " + step.Id);
        }

        if (counts is not null)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"visited {counts.Visited} · waiting {counts.WaitingNow}");
            if (step is EmailStep)
            {
                text += string.Create(CultureInfo.InvariantCulture, $" · sent {counts.EmailsSent}");
                if (counts.EmailsSkipped > 0)
                {
                    text += string.Create(CultureInfo.InvariantCulture, $" · skipped {counts.EmailsSkipped}");
                }
            }

            if (counts.Exited > 0)
            {
                text += string.Create(CultureInfo.InvariantCulture, $" · exited here {counts.Exited}");
            }

            lines.Add(text);
        }

        return lines;
    }

    /// <summary>The label of an edge: branch outcomes, the waited event and the timeout, split paths; none for next.</summary>
    private static string? EdgeLabel(Step step, StepEdge edge) => (step, edge.Kind) switch
    {
        (_, StepEdgeKind.Then) => "yes",
        (_, StepEdgeKind.Else) => "no",
        (WaitForEventStep w, StepEdgeKind.OnEvent) => w.Event,
        (WaitForEventStep w, StepEdgeKind.OnTimeout) => "timeout " + DurationText(w.Timeout),
        (SplitStep s, StepEdgeKind.SplitPath) => SplitLabel(s.Paths[edge.Path], edge.Path),
        _ => null,
    };

    private static string SplitLabel(SplitPath path, int p)
    {
        var name = path.Label ?? ((char)('A' + (p % 26))).ToString();
        return string.Create(CultureInfo.InvariantCulture, $"{name} {path.Percent}%");
    }

    private static string WaitText(WaitStep w)
    {
        if (w.Until is { } until)
        {
            var days = until.Days is { Count: > 0 } d ? " on " + string.Join(",", d.Select(DayName)) : string.Empty;
            return "wait until " + until.Time + days;
        }

        if (w.RelativeTo is { } relative)
        {
            var text = "wait until " + relative;
            if (w.Offset is { } offset)
            {
                text += IsoDuration.TryParse(offset, out var o, out _) && o.Negative
                    ? " - " + DurationText(offset.TrimStart('-'))
                    : " + " + DurationText(offset.TrimStart('+'));
            }

            if (w.Duration is { } fallback)
            {
                text += ", else after " + DurationText(fallback);
            }

            return text;
        }

        return "wait " + (w.Duration is { } duration ? DurationText(duration) : "?");
    }

    private static string TagsText(TagsStep t)
    {
        var parts = new List<string>(2);
        if (t.Add.Count > 0)
        {
            parts.Add("add tag " + string.Join(", ", t.Add));
        }

        if (t.Remove.Count > 0)
        {
            parts.Add("remove tag " + string.Join(", ", t.Remove));
        }

        return parts.Count == 0 ? "tags" : string.Join("; ", parts);
    }

    /// <summary>A duration in words when it parses, else as written (an invalid journey still draws).</summary>
    private static string DurationText(string text) =>
        IsoDuration.TryParse(text, out var d, out _) ? TimeText.Duration(d) : text;

    private static string DayName(Weekday day) => day switch
    {
        Weekday.Sunday => "sun",
        Weekday.Monday => "mon",
        Weekday.Tuesday => "tue",
        Weekday.Wednesday => "wed",
        Weekday.Thursday => "thu",
        Weekday.Friday => "fri",
        Weekday.Saturday => "sat",
        _ => day.ToString(),
    };

    private static string StageName(JourneyStage stage) => stage.ToString().ToLowerInvariant();

    private static void AppendClasses(StringBuilder sb, JourneyDefinition journey, bool hasRules, SortedSet<string> missing, bool finishUsed)
    {
        sb.Append("    classDef trigger fill:#ede7f6,stroke:#5e35b1\n");
        sb.Append("    classDef note fill:#fffde7,stroke:#f9a825,stroke-dasharray:4 3\n");
        sb.Append("    classDef email fill:#e3f2fd,stroke:#1e88e5\n");
        sb.Append("    classDef wait fill:#f5f5f5,stroke:#757575\n");
        sb.Append("    classDef decision fill:#fff3e0,stroke:#fb8c00\n");
        sb.Append("    classDef action fill:#e8f5e9,stroke:#43a047\n");
        sb.Append("    classDef exit fill:#ffebee,stroke:#e53935\n");
        sb.Append("    classDef missing fill:#ffcdd2,stroke:#b71c1c,stroke-width:2px\n");
        sb.Append("    class trigger trigger\n");
        if (hasRules)
        {
            sb.Append("    class rules note\n");
        }

        var groups = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < journey.Steps.Count; i++)
        {
            var cls = journey.Steps[i].Kind switch
            {
                "email" => "email",
                "wait" or "waitForEvent" => "wait",
                "branch" or "split" => "decision",
                "exit" => "exit",
                _ => "action",
            };
            if (!groups.TryGetValue(cls, out var list))
            {
                groups[cls] = list = [];
            }

            list.Add(StepNode(i));
        }

        if (finishUsed)
        {
            (groups.TryGetValue("exit", out var exits) ? exits : groups["exit"] = []).Add("finish");
        }

        foreach (var (cls, nodes) in groups)
        {
            sb.Append("    class ").Append(string.Join(',', nodes)).Append(' ').Append(cls).Append('\n');
        }

        if (missing.Count > 0)
        {
            sb.Append("    class ").Append(string.Join(',', missing.Select(MissingNode))).Append(" missing\n");
        }
    }
}
