using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Validation;

namespace JourneyFunctions.Core.Services;

/// <summary>The outcome of a publish: the stored definition (with its new version), or every validation error.</summary>
public sealed record PublishResult(JourneyDefinition? Published, IReadOnlyList<ValidationError> Errors, bool Unchanged = false)
{
    public bool Succeeded => Published is not null && Errors.Count == 0;

    /// <summary>The validation's notes (<see cref="ValidationResult.Notes"/>), such as which template fields must be numbers.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The validation's warnings (<see cref="ValidationResult.Warnings"/>): they do not stop the publish.</summary>
    public IReadOnlyList<ValidationError> Warnings { get; init; } = [];
}

/// <summary>
/// Publishes journeys: validates the text (with the template catalog, so a missing template or an unknown variable
/// is caught now rather than when the email is due), stores it as the next version, and refreshes the router's
/// catalog. Runs in flight keep their version. Publishing text identical to the latest version is a no-op, so a host
/// restart does not mint a new version of every journey file.
/// </summary>
/// <remarks>
/// Resuming a paused journey queues <see cref="SystemEvents.JourneyResumed"/> for every contact with a run of it whose
/// timer fell due during the pause, so those timers fire at resume (the routed event reaches the run in either host)
/// rather than at the next pause check; the machine writes "held while paused" to the timeline.
/// <para>With <see cref="IWebhookSecretNames"/> registered (every host's engine setup does), a webhook header's
/// <c>{{secret:NAME}}</c> the configuration does not hold is a warning of the publish; without it, not checked.</para>
/// </remarks>
public sealed class JourneyPublisher(IJourneyStore store, IJourneyCatalog catalog, ITemplateCatalog templates, IRunStore runs, IEventQueue queue, TimeProvider time, IWebhookSecretNames? secrets = null)
{
    /// <param name="json">The journey file's text.</param>
    /// <param name="expectedId">When set (the id in the URL), the body's id must match it.</param>
    /// <param name="cancellationToken">Cancels the store calls.</param>
    public async Task<PublishResult> PublishAsync(string json, string? expectedId = null, CancellationToken cancellationToken = default)
    {
        var result = JourneyValidator.Validate(json, templates, secrets);
        var errors = result.Errors.ToList();
        if (result.Journey is { } parsed && expectedId is not null && !string.Equals(parsed.Id, expectedId, StringComparison.Ordinal))
        {
            errors.Add(new ValidationError("$.id", ValidationCodes.InvalidValue, $"the id in the body (\"{parsed.Id}\") must match the id in the URL (\"{expectedId}\")"));
        }

        if (errors.Count > 0 || result.Journey is null)
        {
            return new PublishResult(null, errors) { Notes = result.Notes, Warnings = result.Warnings };
        }

        var journey = result.Journey with { Schema = null, Version = null };
        var latest = await store.GetAsync(journey.Id, null, cancellationToken);
        if (latest is not null && Same(latest, journey))
        {
            return new PublishResult(latest, [], Unchanged: true) { Notes = result.Notes, Warnings = result.Warnings };
        }

        var published = await store.PublishAsync(journey, cancellationToken);
        catalog.Invalidate();
        return new PublishResult(published, []) { Notes = result.Notes, Warnings = result.Warnings };
    }

    public async Task<bool> SetPausedAsync(string journeyId, bool paused, CancellationToken cancellationToken = default)
    {
        var found = await store.SetPausedAsync(journeyId, paused, cancellationToken);
        catalog.Invalidate();
        if (found && !paused)
        {
            await QueueHeldTimersAsync(journeyId, cancellationToken);
        }

        return found;
    }

    /// <summary>
    /// One <see cref="SystemEvents.JourneyResumed"/> per contact with a waiting run of the journey whose timer is held
    /// (<see cref="RunWait.HeldFrom"/>) or already due. Each resume is a new event (its id names the journey and is
    /// unique), so a pause and resume in quick succession wakes the runs again; an extra one is harmless, as a run whose
    /// timer is not due ignores it.
    /// </summary>
    private async Task QueueHeldTimersAsync(string journeyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var contacts = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var run in runs.ListActiveForJourneyAsync(journeyId, cancellationToken))
        {
            if (run is { Status: RunStatus.Waiting, Wait: { } wait } && (wait.HeldFrom is not null || wait.Until <= now))
            {
                contacts.Add(run.ContactId);
            }
        }

        var data = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["journeyId"] = journeyId });
        var id = $"{SystemEvents.JourneyResumed}:{journeyId}:{Guid.NewGuid():N}";
        foreach (var contactId in contacts.Order(StringComparer.Ordinal))
        {
            await queue.EnqueueAsync(
                new ContactEvent { Id = id, ContactId = contactId, Name = SystemEvents.JourneyResumed, Data = data, OccurredAt = now },
                cancellationToken);
        }
    }

    private static bool Same(JourneyDefinition stored, JourneyDefinition candidate) =>
        string.Equals(
            Serialization.JourneyJson.Serialize(stored with { Schema = null, Version = null }),
            Serialization.JourneyJson.Serialize(candidate),
            StringComparison.Ordinal);
}
