using Azure.Core;
using Azure.Core.Pipeline;
using JourneyFunctions.Cli.Load;
using JourneyFunctions.Infrastructure.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.SideBySide;

/// <summary>
/// Puts the load command's <see cref="StorageRequestCounter"/> on every storage client of an engine (the product's
/// Table and Queue clients, DTFx's Blob, Queue and Table clients), except for requests the benchmark itself makes
/// inside <see cref="UncountedAsync{T}"/> (watching for completion, checking results): those are not the engine's.
/// </summary>
public sealed class CountingPolicy(StorageRequestCounter counter) : HttpPipelineSynchronousPolicy
{
    private static readonly AsyncLocal<bool> Off = new();

    public StorageRequestCounter Counter => counter;

    /// <summary>Runs <paramref name="action"/> with its storage requests left out of the count.</summary>
    public static async Task<T> UncountedAsync<T>(Func<Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Off.Value = true;
        return await action();
    }

    /// <summary>
    /// The product's storage clients with this policy, as <see cref="StorageRequestCounter.Register"/> does with the
    /// bare counter.
    /// </summary>
    public void Register(IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            counter.TablePrefix = options.TablePrefix;
            return new StorageTables(StorageClients.CreateTableService(options, null, this), options.TablePrefix);
        });
        services.AddSingleton(sp => StorageClients.CreateQueueService(sp.GetRequiredService<IOptions<StorageOptions>>().Value, null, this));
    }

    /// <summary>Client options for DTFx's storage clients, carrying this policy on every try.</summary>
    public T Options<T>(T options)
        where T : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(this, HttpPipelinePosition.PerRetry);
        return options;
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        if (!Off.Value)
        {
            counter.OnSendingRequest(message);
        }
    }
}
