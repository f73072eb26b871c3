namespace JourneyFunctions.FunctionApp.Security;

/// <summary>
/// How the Functions app authenticates Event Grid on <c>/api/eventgrid</c> (configuration section <c>EventGrid</c>;
/// app settings <c>EventGrid__TenantId</c> ...). Deployed: Entra ID-protected webhook delivery, set
/// <see cref="TenantId"/> and <see cref="Audience"/> to the subscription's <c>azureActiveDirectoryTenantId</c> and
/// <c>azureActiveDirectoryApplicationIdOrUri</c> (infra/ does). Locally (<c>func start</c>, no Entra): a dedicated
/// <see cref="Secret"/>. With neither, every delivery is refused. Never the Functions keys: the route is anonymous at
/// the Functions level and this is its only credential.
/// </summary>
public sealed class EventGridAuthOptions
{
    public const string SectionName = "EventGrid";

    /// <summary>The Entra tenant (directory) id whose tokens Event Grid presents.</summary>
    public string? TenantId { get; set; }

    /// <summary>The token audience: the application id or Application ID URI of the app registration Event Grid requests tokens for.</summary>
    public string? Audience { get; set; }

    /// <summary>Where Entra publishes the tenant's endpoints; the OpenID configuration is read below it.</summary>
    public Uri Authority { get; set; } = new("https://login.microsoftonline.com/");

    /// <summary>
    /// The tenant's OpenID configuration document (issuer, JWKS); default
    /// <c>{Authority}{TenantId}/v2.0/.well-known/openid-configuration</c>.
    /// </summary>
    public Uri? MetadataAddress { get; set; }

    /// <summary>
    /// Accepted token issuers; default the tenant's v1 (<c>https://sts.windows.net/{tenant}/</c>, what Event Grid's
    /// tokens carry unless the app registration asks for v2) and v2 (<c>{Authority}{tenant}/v2.0</c>) issuers.
    /// </summary>
    public IList<string> ValidIssuers { get; } = [];

    /// <summary>
    /// When set, the token must also carry one of these client ids (<c>appid</c> in v1 tokens, <c>azp</c> in v2), e.g.
    /// Event Grid's own application, so another client of the same tenant cannot post reports.
    /// </summary>
    public IList<string> AllowedClientIds { get; } = [];

    /// <summary>The metadata must be fetched over https (only a loopback test server may turn this off).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The dedicated secret for local runs, sent by Event Grid as <c>Authorization: Bearer &lt;secret&gt;</c>.</summary>
    public string? Secret { get; set; }

    /// <summary>True when Entra ID validation is configured.</summary>
    public bool UsesEntraId => !string.IsNullOrWhiteSpace(TenantId) && !string.IsNullOrWhiteSpace(Audience);
}
