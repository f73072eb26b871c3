using System.Runtime.CompilerServices;
using JourneyFunctions.Core.Conditions;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Engine;

/// <summary>
/// A definition prepared once for the machine: step ids resolved to indexes, durations and times parsed, condition
/// descriptions written. Cached per definition instance (reference identity, weakly held), so a host that keeps its
/// definitions pays for this once and every transition after that only looks things up. Problems a validated journey
/// cannot have (a dangling id, a bad duration) are kept as a sentence on the step; the run fails with it if it ever
/// reaches that step, instead of the machine throwing.
/// </summary>
internal sealed class CompiledJourney
{
    private static readonly ConditionalWeakTable<JourneyDefinition, CompiledJourney> Cache = [];

    private CompiledJourney(JourneyDefinition definition)
    {
        Definition = definition;
        var steps = definition.Steps;
        Graph = StepGraph.Of(definition);
        End = Graph.End;

        if (definition.SendWindow is { } window)
        {
            if (SendWindowSchedule.TryCreate(window, out var schedule, out var error))
            {
                Window = schedule;
            }
            else
            {
                WindowError = error;
            }
        }

        if (definition.Goal?.Within is { } within)
        {
            if (IsoDuration.TryParse(within, out var d, out var error))
            {
                GoalWithin = d;
            }
            else
            {
                GoalError = $"the goal window is invalid: {error}";
            }
        }

        if (definition.Reentry?.Cooldown is { } cooldown)
        {
            if (IsoDuration.TryParse(cooldown, out var d, out var error))
            {
                Cooldown = d;
            }
            else
            {
                CooldownError = $"the re-entry cool-down is invalid: {error}";
            }
        }

        Steps = new CompiledStep[steps.Count];
        for (var i = 0; i < steps.Count; i++)
        {
            Steps[i] = CompileStep(steps[i], i);
        }
    }

    public JourneyDefinition Definition { get; }

    /// <summary>Where each step goes; the compiled targets below are read from it.</summary>
    public StepGraph Graph { get; }

    public CompiledStep[] Steps { get; }

    /// <summary>The index meaning "past the last step": the run finishes.</summary>
    public int End { get; }

    public SendWindowSchedule? Window { get; }

    public string? WindowError { get; }

    public IsoDuration? GoalWithin { get; }

    public string? GoalError { get; }

    public IsoDuration? Cooldown { get; }

    public string? CooldownError { get; }

    public static CompiledJourney For(JourneyDefinition definition) =>
        Cache.GetValue(definition, static d => new CompiledJourney(d));

    public CompiledStep? Find(string? stepId) => Graph.IndexOf(stepId) is var i and >= 0 ? Steps[i] : null;

    /// <summary>The step id of an index, or "the end of the journey".</summary>
    public string TargetName(int target) => target >= 0 && target < End ? Definition.Steps[target].Id : "end of journey";

    private CompiledStep CompileStep(Step step, int i)
    {
        var compiled = new CompiledStep(step, i);
        var errors = new List<string>();
        CompileTargets(compiled, errors);
        switch (step)
        {
            case EmailStep email:
                if (WindowError is not null && !email.IgnoreSendWindow)
                {
                    errors.Add(WindowError);
                }

                break;
            case WaitStep wait:
                CompileWait(compiled, wait, errors);
                break;
            case WaitForEventStep waitForEvent:
                if (IsoDuration.TryParse(waitForEvent.Timeout, out var timeout, out var timeoutError))
                {
                    compiled.Duration = timeout;
                }
                else
                {
                    errors.Add($"step {step.Id} has an invalid timeout: {timeoutError}");
                }

                compiled.WaitEvents = [waitForEvent.Event];
                break;
            case BranchStep branch:
                compiled.Description = ConditionEvaluator.Describe(branch.If);
                break;
            case SplitStep split:
                if (split.Paths.Count == 0)
                {
                    errors.Add($"split {step.Id} has no paths");
                }

                break;
            case TagsStep or SetFieldStep or WebhookStep or ExitStep:
                break;
            default:
                errors.Add($"step {step.Id} is of a kind this version of the engine does not run ({step.Kind})");
                break;
        }

        compiled.Error = errors.Count == 0 ? null : string.Join("; ", errors);
        WriteMessages(compiled);
        return compiled;
    }

    /// <summary>
    /// The step's targets from <see cref="Graph"/>. A target that is not a step is an error on the step (the run fails
    /// there) and counts as the end; a dangling <c>next</c> is reported once, however many targets inherit it.
    /// </summary>
    private void CompileTargets(CompiledStep compiled, List<string> errors)
    {
        var step = compiled.Step;
        var next = step.Next is null ? compiled.Index + 1 : Graph.IndexOf(step.Next);
        if (next == StepGraph.Missing)
        {
            errors.Add($"step {step.Id} goes to '{step.Next}', which is not a step of this journey");
            next = End;
        }

        compiled.Next = next;
        var edges = Graph.Edges(compiled.Index);
        if (step is SplitStep)
        {
            compiled.PathTargets = new int[edges.Count];
            compiled.BucketMessages = new string?[100];
        }

        foreach (var edge in edges)
        {
            var target = edge.Target;
            if (target == StepGraph.Missing)
            {
                if (!edge.Inherited && edge.Kind != StepEdgeKind.Next)
                {
                    errors.Add($"step {step.Id} goes to '{edge.TargetId}', which is not a step of this journey");
                }

                target = End;
            }

            switch (edge.Kind)
            {
                case StepEdgeKind.Then:
                    compiled.Then = target;
                    break;
                case StepEdgeKind.Else:
                    compiled.Else = target;
                    break;
                case StepEdgeKind.OnEvent:
                    compiled.OnEvent = target;
                    break;
                case StepEdgeKind.OnTimeout:
                    compiled.OnTimeout = target;
                    break;
                case StepEdgeKind.SplitPath:
                    compiled.PathTargets![edge.Path] = target;
                    break;
            }
        }
    }

    /// <summary>Decision texts that do not depend on the run, written once instead of on every transition.</summary>
    private void WriteMessages(CompiledStep compiled)
    {
        if (compiled.Duration is { } duration)
        {
            compiled.DurationText = TimeText.Duration(duration);
        }

        switch (compiled.Step)
        {
            case EmailStep email:
                compiled.Message = $"sending email '{email.Template}'";
                compiled.DoneMessage = $"email '{email.Template}' sent";
                break;
            case WaitForEventStep waitForEvent:
                compiled.Message = $"{waitForEvent.Event} arrived -> {TargetName(compiled.OnEvent)}";
                compiled.DoneMessage = $"no {waitForEvent.Event} within {compiled.DurationText} -> {TargetName(compiled.OnTimeout)}";
                break;
            case BranchStep branch:
                compiled.Message = $"{branch.Id}: {compiled.Description} -> {TargetName(compiled.Then)}";
                compiled.DoneMessage = $"{branch.Id}: not ({compiled.Description}) -> {TargetName(compiled.Else)}";
                break;
            case TagsStep tags:
                compiled.Message = DescribeTags(tags);
                break;
            case SetFieldStep set:
                compiled.Message = $"setting contact field {set.Field} to {(set.Value is { } value ? JsonValues.Display(value) : "nothing (cleared)")}";
                break;
            case WebhookStep hook:
                compiled.Message = $"calling webhook {hook.Method} {hook.Url}";
                break;
            case ExitStep exit:
                compiled.Message = exit.Reason is null
                    ? $"exit step {exit.Id}: the journey ends here"
                    : $"exit step {exit.Id}: the journey ends here ({exit.Reason})";
                break;
        }
    }

    private static string DescribeTags(TagsStep tags)
    {
        var add = tags.Add.Count == 0 ? null : (tags.Add.Count == 1 ? "adding tag " : "adding tags ") + string.Join(", ", tags.Add);
        var remove = tags.Remove.Count == 0 ? null : (tags.Remove.Count == 1 ? "removing tag " : "removing tags ") + string.Join(", ", tags.Remove);
        return (add, remove) switch
        {
            (not null, not null) => add + "; " + remove,
            (not null, null) => add,
            (null, not null) => remove,
            _ => "changing no tags",
        };
    }

    private static void CompileWait(CompiledStep compiled, WaitStep wait, List<string> errors)
    {
        if (wait.Duration is { } duration)
        {
            if (IsoDuration.TryParse(duration, out var d, out var error))
            {
                compiled.Duration = d;
            }
            else
            {
                errors.Add($"step {wait.Id} has an invalid duration: {error}");
            }
        }

        if (wait.Offset is { } offset)
        {
            if (IsoDuration.TryParse(offset, out var d, out var error))
            {
                compiled.Offset = d;
            }
            else
            {
                errors.Add($"step {wait.Id} has an invalid offset: {error}");
            }
        }

        if (wait.Until is { } until)
        {
            if (ZonedTime.TryParseTimeOfDay(until.Time, out var time))
            {
                compiled.UntilTime = time;
            }
            else
            {
                errors.Add($"step {wait.Id} waits until '{until.Time}', which is not a time of day (HH:mm)");
            }

            compiled.UntilDays = new bool[7];
            if (until.Days is null || until.Days.Count == 0)
            {
                Array.Fill(compiled.UntilDays, true);
            }
            else
            {
                foreach (var day in until.Days)
                {
                    compiled.UntilDays[(int)SendWindowSchedule.ToDayOfWeek(day)] = true;
                }
            }
        }

        if (wait.Duration is null && wait.Until is null && wait.RelativeTo is null)
        {
            errors.Add($"wait step {wait.Id} has no duration, until or relativeTo");
        }
    }
}

/// <summary>One step, prepared: its targets as indexes and its parsed settings.</summary>
internal sealed class CompiledStep(Step step, int index)
{
    public Step Step { get; } = step;

    public int Index { get; } = index;

    /// <summary>Where the step goes by default: <see cref="Step.Next"/> or the following step.</summary>
    public int Next { get; set; }

    /// <summary>Why the step cannot run (a definition validation would have refused); null when it can.</summary>
    public string? Error { get; set; }

    /// <summary>A wait's duration (or relativeTo fallback), or a waitForEvent's timeout.</summary>
    public IsoDuration? Duration { get; set; }

    public IsoDuration? Offset { get; set; }

    public TimeOnly UntilTime { get; set; }

    public bool[]? UntilDays { get; set; }

    public int OnEvent { get; set; }

    public int OnTimeout { get; set; }

    public IReadOnlyList<string> WaitEvents { get; set; } = [];

    public int Then { get; set; }

    public int Else { get; set; }

    public string? Description { get; set; }

    public int[]? PathTargets { get; set; }

    /// <summary><see cref="Duration"/> in words.</summary>
    public string? DurationText { get; set; }

    /// <summary>The step's main decision text: the activity it issues, the branch taken when the condition holds, the
    /// waited event arriving, or the exit.</summary>
    public string? Message { get; set; }

    /// <summary>The second decision text: the email sent, the branch taken when the condition fails, or the timeout.</summary>
    public string? DoneMessage { get; set; }

    /// <summary>
    /// A split's decision text by bucket (0 to 99), written the first time a contact of that bucket passes: the text
    /// depends only on the bucket (it picks the path and so the target), so a split writes at most 100 texts per
    /// definition instead of one per transition. Concurrent runs may write the same text twice; either copy is right.
    /// </summary>
    public string?[]? BucketMessages { get; set; }
}
