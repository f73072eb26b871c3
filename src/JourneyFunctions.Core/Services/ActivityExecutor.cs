using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services.Activities;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// Executes the effects the journey machine asks for, at least once with exactly-once effect: every effect runs
/// behind the ledger guard (<see cref="ActivityLedgerGuard"/>), which reserves it in the send ledger under its
/// deterministic operation id and completes it after, so a retry of the same operation returns the recorded outcome
/// instead of acting again. One handler per activity kind: <see cref="SendEmailHandler"/> (suppression, consent,
/// frequency cap, rate quota: a capped or throttled email is deferred, never dropped), <see cref="ChangeTagsHandler"/>,
/// <see cref="SetFieldHandler"/>, <see cref="CallWebhookHandler"/>. Transient failures throw so the host's retry
/// policy decides.
/// </summary>
/// <remarks>
/// An execution is one unit of work on the contact (<see cref="IContactWork"/>): called by the built-in engine it joins
/// the engine's scope; called alone (a durable activity) it commits its own, so the contact, ledger and timeline
/// writes of one activity are one transaction. The ledger reserve is made durable before the email goes out.
/// </remarks>
public sealed class ActivityExecutor(
    IContactWork work,
    ActivityLedgerGuard guard,
    SendEmailHandler sendEmail,
    ChangeTagsHandler changeTags,
    SetFieldHandler setField,
    CallWebhookHandler callWebhook)
{
    public async Task<ActivityOutcome> ExecuteAsync(ActivityRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var scope = work.Begin(request.ContactId);
        var outcome = await (request switch
        {
            SendEmailRequest send => guard.RunAsync(send, sendEmail, cancellationToken),
            ChangeTagsRequest tags => guard.RunAsync(tags, changeTags, cancellationToken),
            SetFieldRequest field => guard.RunAsync(field, setField, cancellationToken),
            CallWebhookRequest webhook => guard.RunAsync(webhook, callWebhook, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.GetType().Name, "Unknown activity request."),
        });
        await scope.CommitAsync(cancellationToken);
        return outcome;
    }
}
