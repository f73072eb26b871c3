using JourneyFunctions.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Host.Security;

/// <summary>
/// The built-in host's Event Grid credential: a secret of its own, <see cref="JourneyHostOptions.EventGridKey"/>,
/// sent by the subscription as <c>Authorization: Bearer &lt;key&gt;</c> (a secret delivery header). It is never the
/// admin API key: that key is not accepted on <c>/api/eventgrid</c>, nor is any key in <c>?code=</c>, and an
/// EventGridKey equal to the API key is refused as if unset, so one leaked credential cannot do both jobs. Without
/// an EventGridKey the endpoint refuses every request (the rest of the API is unaffected).
/// </summary>
public sealed class EventGridKeyAuthenticator(IOptions<JourneyHostOptions> options, ApiKeys keys) : IEventGridAuthenticator
{
    private readonly EventGridSecretAuthenticator _secret = new(
        options.Value.EventGridKey is { } key && !keys.IsApiKey(key.Trim()) ? key : null,
        $"{JourneyHostOptions.SectionName}:{nameof(JourneyHostOptions.EventGridKey)}, different from the API key");

    public Task<ProblemHttpResult?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        _secret.AuthenticateAsync(request, cancellationToken);
}
