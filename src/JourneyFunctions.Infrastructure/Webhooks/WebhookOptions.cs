using System.Net;
using System.Net.Sockets;
using JourneyFunctions.Core.Security;

namespace JourneyFunctions.Infrastructure.Webhooks;

/// <summary>Webhook steps' outbound calls (configuration section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Hosts a webhook may reach although they resolve to a non-public address (an internal CRM): host names as the
    /// URL writes them, or IP addresses. Everything else must resolve to public addresses only.
    /// </summary>
    public IList<string> AllowedHosts { get; set; } = [];

    /// <summary>
    /// Let webhooks reach loopback (<c>localhost</c>, <c>127.0.0.1</c>, <c>::1</c>): on in Development (a receiver on
    /// the developer's machine), off elsewhere unless set.
    /// </summary>
    public bool? AllowLoopback { get; set; }

    /// <summary>Values of the <c>{{secret:NAME}}</c> references in webhook headers, by name (Key Vault references in Azure).</summary>
    public IDictionary<string, string> Secrets { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>A connection a webhook may not make: the host resolved to an internal address.</summary>
public sealed class WebhookAddressRefusedException : Exception
{
    public WebhookAddressRefusedException()
    {
    }

    public WebhookAddressRefusedException(string message)
        : base(message)
    {
    }

    public WebhookAddressRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The HTTP handler of webhook calls. The address is checked where it is used, at connect time: the host is resolved
/// once, every address it resolves to must be public (<see cref="NetworkAddresses"/>) unless the host is allowed, and
/// the socket connects to an address that passed, so a DNS answer that changes between a check and the connect
/// (rebinding) cannot slip through. No proxy (it would hide the address), no redirects (a 3xx would carry the step's
/// headers to wherever it points), no cookies.
/// </summary>
public static class WebhookHttpHandler
{
    public static SocketsHttpHandler Create(WebhookOptions options, bool isDevelopment)
    {
        ArgumentNullException.ThrowIfNull(options);
        var allowed = new HashSet<string>(options.AllowedHosts.Select(h => h.Trim().Trim('[', ']')), StringComparer.OrdinalIgnoreCase);
        var allowLoopback = options.AllowLoopback ?? isDevelopment;
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowed, allowLoopback, cancellationToken),
        };
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, HashSet<string> allowed, bool allowLoopback, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var hostAllowed = allowed.Contains(endpoint.Host);
        var usable = addresses
            .Where(a => hostAllowed || allowed.Contains(a.ToString()) || NetworkAddresses.IsPublic(a) || (allowLoopback && IPAddress.IsLoopback(a)))
            .ToArray();
        if (usable.Length == 0 || usable.Length != addresses.Length)
        {
            var refused = addresses.FirstOrDefault(a => !usable.Contains(a));
            throw new WebhookAddressRefusedException(
                $"{endpoint.Host} resolves to {(refused?.ToString() ?? "no address")}, an internal address a webhook may not reach (list the host in Webhooks:AllowedHosts if it is yours)");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
