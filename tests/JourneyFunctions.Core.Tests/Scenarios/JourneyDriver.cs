using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Core.Tests.Scenarios;

/// <summary>
/// Drives one run of the pure machine on a virtual clock, the way a host would: activities succeed at once (unless a
/// test says otherwise), timers fire when the clock passes them, events are fed as they happen. Everything the machine
/// asked for is recorded with the time it was asked.
/// </summary>
internal sealed class JourneyDriver
{
    private int _eventCounter;

    public JourneyDriver(JourneyDefinition journey, Contact contact, DateTimeOffset start)
    {
        Journey = journey;
        Contact = contact;
        Now = start;
    }

    public JourneyDefinition Journey { get; }

    public Contact Contact { get; set; }

    public DateTimeOffset Now { get; private set; }

    public RunState? State { get; private set; }

    public EntryDecision? Entry { get; private set; }

    /// <summary>When set, the outcome for each activity request; default: succeeded.</summary>
    public Func<ActivityRequest, ActivityOutcome>? Outcomes { get; set; }

    public List<(DateTimeOffset At, ActivityRequest Request)> Activities { get; } = [];

    public List<(DateTimeOffset At, MachineCommand Command)> Commands { get; } = [];

    public List<Decision> Decisions { get; } = [];

    public IEnumerable<(DateTimeOffset At, SendEmailRequest Email)> Emails =>
        Activities.Where(a => a.Request is SendEmailRequest).Select(a => (a.At, (SendEmailRequest)a.Request));

    public IReadOnlyList<string> Templates => Emails.Select(e => e.Email.Template).ToList();

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public ContactEvent Event(string name, string? data = null) => new()
    {
        Id = $"evt-{++_eventCounter}",
        ContactId = Contact.Id,
        Name = name,
        Data = data is null ? null : Json(data),
        OccurredAt = Now,
    };

    /// <summary>Offers the event as a trigger; starts the run when the machine says enter.</summary>
    public EntryDecision Trigger(ContactEvent trigger, PreviousRun? previous = null)
    {
        Entry = JourneyMachine.DecideEntry(Journey, Contact, trigger, previous, Now);
        if (Entry.Enter)
        {
            Apply(JourneyMachine.Start(Journey, Entry, Contact, trigger, Now));
        }

        return Entry;
    }

    public EntryDecision Trigger(string name, string? data = null) => Trigger(Event(name, data));

    public MachineResult Send(string name, string? data = null) => Send(Event(name, data));

    public MachineResult Send(ContactEvent ev) => Feed(new EventReceived(ev));

    public MachineResult Feed(MachineInput input)
    {
        var result = JourneyMachine.Handle(Journey, State ?? throw new InvalidOperationException("No run."), input, Contact, Now);
        Apply(result);
        return result;
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way.</summary>
    public void AdvanceBy(TimeSpan span) => AdvanceTo(Now + span);

    public void AdvanceTo(DateTimeOffset target)
    {
        while (State is { Status: RunStatus.Waiting, Wait: { Until: { } until } wait } && until <= target)
        {
            Now = until > Now ? until : Now;
            Feed(new TimerFired(wait.Sequence));
        }

        if (target > Now)
        {
            Now = target;
        }
    }

    /// <summary>Runs until the run completes (at most the given number of timers).</summary>
    public void RunToEnd(int maxTimers = 100)
    {
        for (var i = 0; i < maxTimers && State is { Status: RunStatus.Waiting, Wait.Until: { } until }; i++)
        {
            AdvanceTo(until);
        }
    }

    private void Apply(MachineResult result)
    {
        // The state a host persists must survive JSON.
        var json = JourneyJson.SerializeState(result.State);
        Assert.Equal(json, JourneyJson.SerializeState(JourneyJson.DeserializeState(json)));
        State = result.State;
        Decisions.AddRange(result.Decisions);
        foreach (var command in result.Commands)
        {
            Commands.Add((Now, command));
        }

        foreach (var command in result.Commands)
        {
            if (command is ExecuteActivity execute)
            {
                Activities.Add((Now, execute.Request));
                var outcome = Outcomes?.Invoke(execute.Request) ?? ActivityOutcome.Succeeded();
                Feed(new ActivityCompleted(execute.Request.Sequence, outcome));
            }
        }
    }
}

/// <summary>Finds the repository (the folder holding JourneyFunctions.sln) and loads its sample journeys.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static JourneyDefinition LoadJourney(string id) =>
        JourneyJson.DeserializeJourney(File.ReadAllText(Path.Combine(Root, "journeys", id + ".json")));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "JourneyFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("JourneyFunctions.sln not found above " + AppContext.BaseDirectory);
    }
}
