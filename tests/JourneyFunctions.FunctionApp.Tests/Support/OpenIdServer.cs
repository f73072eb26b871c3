using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace JourneyFunctions.FunctionApp.Tests.Support;

/// <summary>
/// A stand-in for an Entra ID tenant's token endpoints, on Kestrel (loopback, real HTTP): it serves the tenant's
/// OpenID configuration and JWKS the way login.microsoftonline.com does, with a signing key generated for the run,
/// and issues tokens shaped like the ones Event Grid presents to an Entra ID-protected webhook.
/// </summary>
public sealed class OpenIdServer : IAsyncDisposable
{
    public const string TenantId = "11111111-2222-3333-4444-555555555555";

    public const string Audience = "api://journeys-eventgrid";

    /// <summary>Event Grid's first-party application id (the <c>appid</c> of the tokens it presents).</summary>
    public const string EventGridAppId = "4962773b-9cdb-44cf-a8bf-237846a00ab7";

    private readonly WebApplication _app;
    private readonly RSA _key;

    private OpenIdServer(WebApplication app, RSA key, Uri baseAddress)
    {
        _app = app;
        _key = key;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The v1 issuer Event Grid's tokens carry.</summary>
    public static string Issuer => $"https://sts.windows.net/{TenantId}/";

    public Uri MetadataAddress => new(BaseAddress, $"{TenantId}/v2.0/.well-known/openid-configuration");

    /// <summary>How many times the configuration and keys were fetched.</summary>
    public int Fetches { get; private set; }

    public static async Task<OpenIdServer> StartAsync()
    {
        var key = RSA.Create(2048);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        OpenIdServer? server = null;
        app.MapGet($"/{TenantId}/v2.0/.well-known/openid-configuration", (HttpContext http) =>
        {
            server!.Fetches++;
            var self = $"{http.Request.Scheme}://{http.Request.Host}";
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = $"https://login.microsoftonline.com/{TenantId}/v2.0",
                ["jwks_uri"] = $"{self}/{TenantId}/discovery/v2.0/keys",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
        });
        app.MapGet($"/{TenantId}/discovery/v2.0/keys", () =>
        {
            var parameters = key.ExportParameters(includePrivateParameters: false);
            return Results.Json(new Dictionary<string, object>
            {
                ["keys"] = new[]
                {
                    new Dictionary<string, string>
                    {
                        ["kty"] = "RSA", ["use"] = "sig", ["kid"] = "run-key", ["alg"] = "RS256",
                        ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                    },
                },
            });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new OpenIdServer(app, key, new Uri(address + "/"));
        return server;
    }

    /// <summary>A token as Event Grid would present it; each argument can be made wrong for a negative test.</summary>
    public string Token(string? audience = null, string? issuer = null, DateTime? expires = null, RSA? signWith = null, string appId = EventGridAppId)
    {
        var credentials = new SigningCredentials(new RsaSecurityKey(signWith ?? _key) { KeyId = "run-key" }, SecurityAlgorithms.RsaSha256);
        var expiry = expires ?? DateTime.UtcNow.AddMinutes(30);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience ?? Audience,
            NotBefore = expiry.AddHours(-1),
            IssuedAt = expiry.AddHours(-1),
            Expires = expiry,
            Subject = new ClaimsIdentity([new Claim("appid", appId), new Claim("tid", TenantId)]),
            SigningCredentials = credentials,
        });
    }

    /// <summary>The Functions app settings that point its Event Grid authentication at this tenant.</summary>
    public IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["EventGrid:TenantId"] = TenantId,
        ["EventGrid:Audience"] = Audience,
        ["EventGrid:MetadataAddress"] = MetadataAddress.ToString(),
        ["EventGrid:RequireHttpsMetadata"] = "false",
        ["EventGrid:AllowedClientIds:0"] = EventGridAppId,
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _key.Dispose();
    }
}
