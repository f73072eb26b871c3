using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Services.Activities;

/// <summary>Adds and removes a tags step's tags, and queues the tag events some journey listens to.</summary>
public sealed class ChangeTagsHandler(
    ContactWriter contactWriter,
    IJourneyCatalog catalog,
    TagEventFilter tagEvents,
    IEventQueue events,
    TimeProvider time) : IActivityHandler<ChangeTagsRequest>
{
    public string Kind => "tags";

    public async Task<ActivityOutcome> ExecuteAsync(ChangeTagsRequest request, ActivityAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(attempt);
        var update = await contactWriter.UpdateAsync(request.ContactId, c => ContactWriter.WithTags(c, request.Add, request.Remove), createIfMissing: false, cancellationToken);
        if (update is null)
        {
            return await attempt.SkipAsync("the contact no longer exists", cancellationToken);
        }

        var now = time.GetUtcNow();

        // The run doing the change may not be stored yet (its first drive): its own version counts as active.
        var current = await catalog.GetVersionAsync(request.JourneyId, request.Version, cancellationToken);
        foreach (var tagEvent in await tagEvents.ListenedToAsync(request.ContactId, ContactWriter.TagEvents(update, request.OperationId, now), current is null ? [] : [current], cancellationToken))
        {
            await events.EnqueueAsync(tagEvent, cancellationToken);
        }

        var summary = Describe(request.Add, request.Remove);
        await attempt.FinishAsync(summary, cancellationToken);
        await attempt.AppendTimelineAsync(request.ContactId, now, "tags", summary, cancellationToken);
        return ActivityOutcome.Succeeded();
    }

    private static string Describe(IReadOnlyList<string> add, IReadOnlyList<string> remove)
    {
        var parts = new List<string>(2);
        if (add.Count > 0)
        {
            parts.Add("added tags " + string.Join(", ", add));
        }

        if (remove.Count > 0)
        {
            parts.Add("removed tags " + string.Join(", ", remove));
        }

        return parts.Count == 0 ? "no tag change" : string.Join("; ", parts);
    }
}
