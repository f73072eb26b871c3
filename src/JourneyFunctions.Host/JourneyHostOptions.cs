using JourneyFunctions.Host.Clock;

namespace JourneyFunctions.Host;

/// <summary>
/// The built-in host's own settings (configuration section <c>Host</c>). The API key guards every endpoint that reads
/// or changes data; in Development it defaults to <see cref="DevelopmentApiKey"/> so a fresh clone runs with nothing
/// configured, and anywhere else the host refuses to start without one.
/// </summary>
public sealed class JourneyHostOptions
{
    public const string SectionName = "Host";

    /// <summary>
    /// The key a caller sends in <c>X-Api-Key</c> (or <c>Authorization: Bearer</c>, or <c>x-functions-key</c>; never in
    /// the query string, which ends up in logs). Refused outside Development, where a configured key is required.
    /// </summary>
    public const string DevelopmentApiKey = "dev-key";

    public string? ApiKey { get; set; }

    /// <summary>
    /// Event Grid's own secret on <c>/api/eventgrid</c>, sent as <c>Authorization: Bearer &lt;key&gt;</c> (a secret
    /// delivery header of the subscription). No default and never the API key: unset, the endpoint refuses every request.
    /// </summary>
    public string? EventGridKey { get; set; }

    /// <summary>Folder of journey files published at start; empty means <c>journeys/</c> of the current folder or the repository root.</summary>
    public string? JourneysDirectory { get; set; }

    /// <summary>Publish every <c>*.json</c> in <see cref="JourneysDirectory"/> at start (an unchanged file is not republished).</summary>
    public bool PublishJourneysOnStart { get; set; } = true;

    /// <summary>
    /// The clock the whole engine runs on: <see cref="HostClock.System"/> (default) or, in Development only,
    /// <see cref="HostClock.Virtual"/>, which <c>POST /api/dev/clock/advance</c> (<c>journeys clock advance</c>) moves forward.
    /// </summary>
    public HostClock Clock { get; set; } = HostClock.System;
}
