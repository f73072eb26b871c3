using System.Globalization;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Host.Runner;

/// <summary>This host instance's name in leases and logs: configured, or machine name, process id and a random suffix.</summary>
public sealed class RunnerIdentity(IOptions<RunnerOptions> options)
{
    public string InstanceId { get; } = string.IsNullOrWhiteSpace(options.Value.InstanceId)
        ? string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}")
        : options.Value.InstanceId;
}
