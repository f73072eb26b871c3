using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Ports;

/// <summary>
/// How the router reaches runs. The built-in host drives the machine itself (<c>LocalRunEngine</c>); the Functions
/// app schedules a durable orchestration per run (instance id = run id) and raises events to it.
/// </summary>
public interface IRunDispatcher
{
    /// <summary>Starts a run; starting one whose id exists already is harmless (the id is deterministic).</summary>
    Task StartAsync(StartRunRequest request, CancellationToken cancellationToken = default);

    /// <summary>Delivers a contact event to a run (it may exit, reach the goal or wake the run).</summary>
    Task DeliverAsync(string runId, ContactEvent contactEvent, CancellationToken cancellationToken = default);

    /// <summary>Ends a run from outside (unsubscribe, erase, journey archived).</summary>
    Task CancelAsync(string runId, string reason, CancellationToken cancellationToken = default);
}

/// <summary>Everything needed to start a run, decided by the router.</summary>
public sealed record StartRunRequest(JourneyDefinition Journey, EntryDecision Entry, Contact Contact, ContactEvent Trigger);

/// <summary>The published journeys the router matches events against: latest versions, with the paused flag.</summary>
public interface IJourneyCatalog
{
    Task<IReadOnlyList<CatalogEntry>> GetLatestAsync(CancellationToken cancellationToken = default);

    /// <summary>A pinned version (runs keep the version they started with).</summary>
    Task<JourneyDefinition?> GetVersionAsync(string journeyId, int version, CancellationToken cancellationToken = default);

    /// <summary>Forgets cached entries after a publish, pause or resume.</summary>
    void Invalidate();
}

public sealed record CatalogEntry(JourneyDefinition Journey, bool Paused);

/// <summary>Calls webhook steps' endpoints.</summary>
public interface IWebhookClient
{
    /// <summary>
    /// Sends the call. Returns the response; throws <see cref="WebhookException"/> with
    /// <see cref="WebhookException.Transient"/> for network errors, timeouts, 408, 429 and 5xx.
    /// </summary>
    Task<WebhookResponse> SendAsync(WebhookCall call, CancellationToken cancellationToken = default);
}

public sealed record WebhookCall(string Method, Uri Url, IReadOnlyDictionary<string, string> Headers, string Body, string IdempotencyKey);

public sealed record WebhookResponse(int StatusCode, JsonElement? Body);

public sealed class WebhookException : Exception
{
    public WebhookException()
    {
    }

    public WebhookException(string message)
        : base(message)
    {
    }

    public WebhookException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WebhookException(string message, bool transient, Exception? innerException = null)
        : base(message, innerException)
    {
        Transient = transient;
    }

    public bool Transient { get; }
}

/// <summary>
/// The email provider's rate quota (ACS limits sends per minute and hour). A send that finds no token is deferred to
/// <see cref="RateDecision.RetryAt"/>, never dropped.
/// </summary>
public interface ISendRateLimiter
{
    RateDecision TryAcquire();
}

public readonly record struct RateDecision(bool Acquired, DateTimeOffset RetryAt);
