using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Email;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.DependencyInjection;

/// <summary>Registers the keyed <see cref="AddressHasher"/> of suppressions and ledger recipients (section <c>Suppressions</c>).</summary>
public static class AddressHashServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="AddressHashOptions"/> and registers <see cref="AddressHasher"/>: keyed by
    /// <c>Suppressions:Key</c>; without it, in Development (or with no host environment, as in tests and tools), by a
    /// generated key kept in <c>Suppressions:LocalKeyPath</c> (0600, like the local unsubscribe key); in any other
    /// environment resolving it throws, and both hosts resolve it at start, so they refuse to start.
    /// </summary>
    public static IServiceCollection AddAddressHash(this IServiceCollection services)
    {
        services.AddOptions<AddressHashOptions>().BindConfiguration(AddressHashOptions.SectionName);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<AddressHashOptions>>().Value);
        services.TryAddSingleton(sp => Create(
            sp.GetRequiredService<AddressHashOptions>(),
            sp.GetService<IHostEnvironment>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger(typeof(AddressHashServiceCollectionExtensions))));

        // The suppression list by address, over whichever ISuppressionStore the storage registration brings.
        services.TryAddSingleton<AddressSuppressions>();
        return services;
    }

    /// <summary>The hasher for these settings (see <see cref="AddAddressHash"/>).</summary>
    public static AddressHasher Create(AddressHashOptions options, IHostEnvironment? environment, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.Key))
        {
            try
            {
                return new AddressHasher(options.Key);
            }
            catch (ArgumentException)
            {
                // The message never carries the key, only what is wrong with it.
                throw new InvalidOperationException($"{AddressHashOptions.SectionName}:Key is shorter than {AddressHasher.MinKeyBytes} bytes; use e.g. 48 random bytes in base64.");
            }
        }

        if (environment is not null && !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{AddressHashOptions.SectionName}:Key is not set: outside Development the suppression list needs its HMAC key from configuration or Key Vault (JOURNEYS_Suppressions__Key); it must stay the same for the life of the installation.");
        }

        // In Development the local key is the intended setup (a fresh clone configures nothing): say so quietly, as
        // for the local unsubscribe key. Without a host environment (tests, tools) it stays a warning.
        var level = environment?.IsDevelopment() == true ? LogLevel.Information : LogLevel.Warning;
        logger?.Log(level, "Suppressions:Key is not set: hashing addresses with the local key in {Path}; configure a key for production", Path.GetFullPath(options.LocalKeyPath));
        return new AddressHasher(LocalUnsubscribeKey.LoadOrCreate(options.LocalKeyPath));
    }
}
