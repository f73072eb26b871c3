using System.Security.Claims;
using JourneyFunctions.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace JourneyFunctions.FunctionApp.Security;

/// <summary>
/// The Functions app's Event Grid credential. Where Entra ID is configured (<see cref="EventGridAuthOptions.UsesEntraId"/>)
/// the request must carry <c>Authorization: Bearer &lt;JWT&gt;</c> as Event Grid sends for an Entra ID-protected
/// webhook: the token's signature is checked against the signing keys of the tenant's OpenID configuration (fetched
/// and cached, refreshed once when a token names an unknown key, as after a key rollover), and its issuer, audience,
/// lifetime and (when configured) client id must match. Otherwise the dedicated
/// <see cref="EventGridAuthOptions.Secret"/> is required. Neither the Functions keys nor any <c>?code=</c> count.
/// </summary>
public sealed class EventGridAuthenticator : IEventGridAuthenticator
{
    /// <summary>The HttpClient name used to fetch the OpenID configuration and signing keys.</summary>
    public const string MetadataClient = "eventgrid-openid";

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    private readonly EventGridAuthOptions _options;
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? _metadata;
    private readonly EventGridSecretAuthenticator? _secret;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ILogger<EventGridAuthenticator> _logger;

    public EventGridAuthenticator(IOptions<EventGridAuthOptions> options, IHttpClientFactory http, ILogger<EventGridAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        _options = options.Value;
        _logger = logger;
        if (_options.UsesEntraId)
        {
            var tenant = _options.TenantId!.Trim();
            var metadata = _options.MetadataAddress ?? new Uri(_options.Authority, $"{tenant}/v2.0/.well-known/openid-configuration");
            _metadata = new ConfigurationManager<OpenIdConnectConfiguration>(
                metadata.ToString(),
                new OpenIdConnectConfigurationRetriever(),
                new HttpDocumentRetriever(http.CreateClient(MetadataClient)) { RequireHttps = _options.RequireHttpsMetadata });
            if (_options.ValidIssuers.Count == 0)
            {
                _options.ValidIssuers.Add($"https://sts.windows.net/{tenant}/");
                _options.ValidIssuers.Add(new Uri(_options.Authority, $"{tenant}/v2.0").ToString());
            }
        }
        else
        {
            _secret = new EventGridSecretAuthenticator(_options.Secret, $"{EventGridAuthOptions.SectionName}__{nameof(EventGridAuthOptions.Secret)}, or {EventGridAuthOptions.SectionName}__{nameof(EventGridAuthOptions.TenantId)} and __{nameof(EventGridAuthOptions.Audience)} for Entra ID");
        }
    }

    public async Task<ProblemHttpResult?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_secret is not null)
        {
            return await _secret.AuthenticateAsync(request, cancellationToken);
        }

        if (EventGridSecretAuthenticator.Presented(request) is not { } token)
        {
            return Refuse(request, "is required: an Entra ID bearer token, as Event Grid sends for an Entra ID-protected webhook subscription");
        }

        var result = await ValidateAsync(token, refreshed: false, cancellationToken);
        if (!result.IsValid)
        {
            _logger.LogWarning("Refused an Event Grid delivery: {Reason}", result.Exception?.GetType().Name ?? "invalid token");
            return Refuse(request, "is not a valid Entra ID token for this endpoint (signature, issuer, audience or lifetime)");
        }

        if (_options.AllowedClientIds.Count > 0)
        {
            var client = Claim(result.ClaimsIdentity, "appid") ?? Claim(result.ClaimsIdentity, "azp");
            if (client is null || !_options.AllowedClientIds.Contains(client, StringComparer.OrdinalIgnoreCase))
            {
                _logger.LogWarning("Refused an Event Grid delivery: the token's client is not allowed");
                return Refuse(request, "was issued to a client that may not deliver Event Grid reports here");
            }
        }

        return null;
    }

    private async Task<TokenValidationResult> ValidateAsync(string token, bool refreshed, CancellationToken cancellationToken)
    {
        var configuration = await _metadata!.GetConfigurationAsync(cancellationToken);
        var parameters = new TokenValidationParameters
        {
            ValidIssuers = _options.ValidIssuers,
            ValidAudience = _options.Audience!.Trim(),
            IssuerSigningKeys = configuration.SigningKeys,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = ClockSkew,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid && !refreshed && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // The tenant may have rolled its keys since they were cached: read them again once.
            _metadata.RequestRefresh();
            return await ValidateAsync(token, refreshed: true, cancellationToken);
        }

        return result;
    }

    private static string? Claim(ClaimsIdentity? identity, string type) => identity?.FindFirst(type)?.Value;

    private static ProblemHttpResult Refuse(HttpRequest request, string message)
    {
        request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return ApiProblems.Unauthorized("Authorization", message, "Event Grid's credential is required.");
    }
}
