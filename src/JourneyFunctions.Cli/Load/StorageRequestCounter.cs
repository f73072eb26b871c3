using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using JourneyFunctions.Infrastructure.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using JourneyFunctions.Simulation;

namespace JourneyFunctions.Cli.Load;

/// <summary>
/// Counts every HTTP request the Table and Queue clients send (per retry, so a retried request counts twice, as it
/// costs twice), grouped as <c>METHOD resource</c>: <c>GET table(entity)</c> for a point read, <c>GET table(query)</c>
/// for a query, <c>PUT</c>/<c>MERGE</c>/<c>DELETE</c> entity writes, <c>POST $batch</c> for entity group transactions,
/// <c>POST queue/messages</c> and so on. Added to the clients through the storage layer's pipeline-policy hook
/// (<see cref="StorageClients"/>), so it sees exactly what production code sends.
/// </summary>
public sealed class StorageRequestCounter : HttpPipelineSynchronousPolicy
{
    private ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Table name prefix to drop from the kinds, so they read <c>runs</c> rather than <c>load1f2eruns</c>.</summary>
    public string? TablePrefix { get; set; }

    /// <summary>Replaces the storage registrations' Table and Queue service clients with ones that carry <paramref name="counter"/>.</summary>
    public static void Register(IServiceCollection services, StorageRequestCounter counter)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(counter);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            counter.TablePrefix = options.TablePrefix;
            return new StorageTables(StorageClients.CreateTableService(options, null, counter), options.TablePrefix);
        });
        services.AddSingleton(sp => StorageClients.CreateQueueService(sp.GetRequiredService<IOptions<StorageOptions>>().Value, null, counter));
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _counts.AddOrUpdate(Kind(message.Request), 1, static (_, n) => n + 1);
    }

    /// <summary>Requests counted since the last <see cref="Reset"/>, by kind.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts, StringComparer.Ordinal);

    public void Reset() => Interlocked.Exchange(ref _counts, new ConcurrentDictionary<string, long>(StringComparer.Ordinal));

    private string Kind(Request request)
    {
        var method = request.Method.ToString();
        var path = Uri.UnescapeDataString(request.Uri.Path).Trim('/');

        // Azurite paths start with the account name (devstoreaccount1/...); Azure hosts carry it in the host name.
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length > 1 && request.Uri.Host is "127.0.0.1" or "localhost")
        {
            segments = segments[1..];
        }

        if (segments.Length == 0)
        {
            return method + " (service)";
        }

        var resource = segments[0];
        var paren = resource.IndexOf('(', StringComparison.Ordinal);
        var name = paren >= 0 ? resource[..paren] : resource;
        if (TablePrefix is { Length: > 0 } prefix && name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && name.Length > prefix.Length)
        {
            name = name[prefix.Length..];
        }

        var shape = paren >= 0 ? (resource.EndsWith("()", StringComparison.Ordinal) ? "(query)" : "(entity)") : string.Empty;
        var rest = segments.Length > 1 ? "/" + string.Join('/', segments[1..].Select(s => Guid.TryParse(s, out _) ? "{id}" : s)) : string.Empty;
        return $"{method} {name}{shape}{rest}";
    }
}
