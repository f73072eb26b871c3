using FsCheck.Xunit;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Core.Tests.Engine;

/// <summary>Invariants of the machine over random valid journeys and random input sequences.</summary>
public sealed class JourneyMachinePropertyTests
{
    /// <summary>Drives one run; with <paramref name="viaJson"/> every state goes through JSON before the next input, as a host that persists it would do.</summary>
    private static List<string> Drive(JourneyDefinition journey, int flags, int[] inputs, bool viaJson, Action<MachineResult, RunState?>? check = null)
    {
        var contact = RandomJourneys.Contact(flags);
        var trigger = RandomJourneys.Trigger();
        var now = RandomJourneys.Start;
        var entry = JourneyMachine.DecideEntry(journey, contact, trigger, null, now);
        Assert.True(entry.Enter, entry.Reason);
        var result = JourneyMachine.Start(journey, entry, contact, trigger, now);
        check?.Invoke(result, null);
        var log = new List<string> { JourneyJson.Serialize(result) };
        for (var i = 0; i < inputs.Length; i++)
        {
            var state = viaJson ? JourneyJson.DeserializeState(JourneyJson.SerializeState(result.State)) : result.State;
            (var input, now) = RandomJourneys.Input(inputs[i], state, now, i);
            var next = JourneyMachine.Handle(journey, state, input, contact, now);
            check?.Invoke(next, result.State);
            log.Add(JourneyJson.Serialize(input) + " => " + JourneyJson.Serialize(next));
            result = next;
        }

        return log;
    }

    [Property(MaxTest = 300)]
    public void Machine_SameInputs_SameOutputs(int[] steps, int flags, int[] inputs)
    {
        // Two separately parsed copies of the definition, so nothing cached on one instance can leak into the other.
        var first = Drive(RandomJourneys.Journey(steps, flags), flags, inputs, viaJson: false);
        var second = Drive(RandomJourneys.Journey(steps, flags), flags, inputs, viaJson: false);

        Assert.Equal(first, second);
    }

    [Property(MaxTest = 300)]
    public void Machine_StateThroughJson_BehavesTheSame(int[] steps, int flags, int[] inputs)
    {
        var journey = RandomJourneys.Journey(steps, flags);

        var live = Drive(journey, flags, inputs, viaJson: false);
        var persisted = Drive(journey, flags, inputs, viaJson: true);

        Assert.Equal(live, persisted);
    }

    [Property(MaxTest = 300)]
    public void Machine_AnyState_RoundTripsThroughJson(int[] steps, int flags, int[] inputs)
    {
        Drive(RandomJourneys.Journey(steps, flags), flags, inputs, viaJson: false, (result, _) =>
        {
            var json = JourneyJson.SerializeState(result.State);
            Assert.Equal(json, JourneyJson.SerializeState(JourneyJson.DeserializeState(json)));
        });
    }

    [Property(MaxTest = 300)]
    public void Machine_EmailStep_NeverSentTwiceInARun(int[] steps, int flags, int[] inputs)
    {
        var sent = new HashSet<string>(StringComparer.Ordinal);
        var operations = new Dictionary<string, string>(StringComparer.Ordinal);
        Drive(RandomJourneys.Journey(steps, flags), flags, inputs, viaJson: false, (result, before) =>
        {
            foreach (var request in result.Commands.OfType<ExecuteActivity>().Select(e => e.Request).OfType<SendEmailRequest>())
            {
                Assert.DoesNotContain(request.StepId, sent);
                Assert.DoesNotContain(request.StepId, result.State.Sent);

                // Every request for a step's email carries the same operation id, so the ledger sends it once.
                Assert.Equal(operations.GetValueOrDefault(request.StepId, request.OperationId), request.OperationId);
                operations[request.StepId] = request.OperationId;
            }

            foreach (var step in result.State.Sent)
            {
                sent.Add(step);
            }

            Assert.Equal(result.State.Sent.Count, result.State.Sent.Distinct().Count());
        });
    }

    [Property(MaxTest = 300)]
    public void Machine_ValidJourney_NeverLoopsWithoutAWait(int[] steps, int flags, int[] inputs)
    {
        Drive(RandomJourneys.Journey(steps, flags), flags, inputs, viaJson: false, (result, before) =>
        {
            var executed = result.State.StepsExecuted - (before?.StepsExecuted ?? 0);
            Assert.InRange(executed, 0, JourneyMachine.MaxStepsPerAdvance);
            Assert.DoesNotContain("loop without a wait", result.State.CompletionDetail ?? string.Empty, StringComparison.Ordinal);
        });
    }

    [Property(MaxTest = 300)]
    public void Machine_EveryTransition_KeepsTheRunConsistent(int[] steps, int flags, int[] inputs)
    {
        Drive(RandomJourneys.Journey(steps, flags), flags, inputs, viaJson: false, (result, before) =>
        {
            var s = result.State;
            Assert.True(before is null || s.Sequence >= before.Sequence, "the sequence never goes back");
            Assert.True(result.Commands.Count(c => c is ExecuteActivity or StartWait) <= 1, "at most one activity or wait per transition");
            switch (s.Status)
            {
                case RunStatus.Executing:
                    Assert.NotNull(s.Activity);
                    Assert.Null(s.Wait);
                    Assert.Equal(s.Sequence, s.Activity.Sequence);
                    Assert.Equal(s.StepId, s.Activity.StepId);
                    break;
                case RunStatus.Waiting:
                    Assert.NotNull(s.Wait);
                    Assert.Null(s.Activity);
                    Assert.Equal(s.Sequence, s.Wait.Sequence);
                    Assert.Equal(s.StepId, s.Wait.StepId);
                    break;
                default:
                    Assert.Null(s.StepId);
                    Assert.NotNull(s.Completion);
                    Assert.NotNull(s.EndedAt);
                    if (before is { Status: RunStatus.Completed })
                    {
                        Assert.Same(before, s);
                        Assert.Empty(result.Commands);
                    }
                    else
                    {
                        Assert.IsType<CompleteRun>(result.Commands[^1]);
                    }

                    break;
            }

            Assert.True(result.Commands.OfType<RecordGoal>().Count() <= 1);
            Assert.All(result.Decisions, d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));
        });
    }
}

public sealed class RandomJourneysTests
{
    [Property(MaxTest = 200)]
    public void RandomJourney_Validate_HasNoErrors(int[] steps, int flags)
    {
        var errors = JourneyFunctions.Core.Validation.JourneyValidator.Validate(RandomJourneys.JourneyJson(steps, flags)).Errors;

        Assert.All(errors, e => Assert.Fail(e.ToString()));
    }
}
