using JourneyFunctions.Core.Services;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Core.Security;

/// <summary>
/// Builds the one-click unsubscribe URL of an email: <c>{Sending:PublicBaseUrl}/api/unsubscribe?token=...</c> with a
/// token signed now for the contact and scope. The token has no expiry unless <see cref="UnsubscribeTokenOptions.MaxAge"/> says so.
/// </summary>
public sealed class UnsubscribeUrlBuilder(UnsubscribeTokens tokens, IOptions<SendingOptions> options, TimeProvider time) : IUnsubscribeUrlBuilder
{
    private readonly SendingOptions _options = options.Value;

    public string Build(string contactId, string scope) =>
        UnsubscribeLinks.BuildUrl(_options.PublicBaseUrl, tokens.Create(contactId, scope, time.GetUtcNow()));
}
