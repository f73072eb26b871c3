using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using JourneyFunctions.Core.Ports;
using Microsoft.Extensions.DependencyInjection;

using JourneyFunctions.Simulation;

namespace JourneyFunctions.Cli.Load;

/// <summary>Time spent in one port method during a load phase: calls and the summed wall time until each call's task completed.</summary>
public sealed record PortTiming(string Method, long Calls, double TotalMilliseconds)
{
    public double MicrosecondsPerCall => Calls == 0 ? 0 : Math.Round(TotalMilliseconds * 1000 / Calls, 1);
}

/// <summary>
/// <c>journeys load --profile</c>: wraps every storage, queue, template and email port in a proxy that sums the time
/// spent in each method, so a load report can say where the time of a phase goes (which store, which call) rather
/// than only how long it took. The proxies add a little time of their own; use the figures to rank, not to add up.
/// </summary>
public sealed class PortTimings
{
    private static readonly Type[] Ports =
    [
        typeof(IContactStore), typeof(IJourneyStore), typeof(IRunStore), typeof(ISendLedger), typeof(ISuppressionStore),
        typeof(ITimelineStore), typeof(IStatsStore), typeof(IProcessedEventStore), typeof(IEventQueue),
        typeof(ITemplateRenderer), typeof(IEmailSender),
    ];

    private ConcurrentDictionary<string, Sum> _sums = new(StringComparer.Ordinal);

    /// <summary>Replaces each port registration with a timing proxy around the registered implementation.</summary>
    public static void Register(IServiceCollection services, PortTimings timings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(timings);
        var wrap = typeof(PortTimings).GetMethod(nameof(Wrap), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var port in Ports)
        {
            var descriptor = services.LastOrDefault(d => d.ServiceType == port);
            if (descriptor is null)
            {
                continue;
            }

            services.Add(ServiceDescriptor.Singleton(port, sp =>
            {
                var inner = descriptor.ImplementationInstance
                    ?? descriptor.ImplementationFactory?.Invoke(sp)
                    ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!);
                return wrap.MakeGenericMethod(port).Invoke(null, [inner, timings])!;
            }));
        }
    }

    /// <summary>The sums since the last call, slowest first, and starts new ones.</summary>
    public IReadOnlyList<PortTiming> TakeSnapshot()
    {
        var sums = Interlocked.Exchange(ref _sums, new ConcurrentDictionary<string, Sum>(StringComparer.Ordinal));
        return sums
            .Select(s => new PortTiming(s.Key, s.Value.Calls, Math.Round(Stopwatch.GetElapsedTime(0, s.Value.Ticks).TotalMilliseconds, 1)))
            .OrderByDescending(t => t.TotalMilliseconds)
            .ToList();
    }

    internal void Record(string method, long startTimestamp)
    {
        var sum = _sums.GetOrAdd(method, static _ => new Sum());
        Interlocked.Add(ref sum.Ticks, Stopwatch.GetTimestamp() - startTimestamp);
        Interlocked.Increment(ref sum.Calls);
    }

    private static T Wrap<T>(T inner, PortTimings timings)
        where T : class
    {
        var proxy = DispatchProxy.Create<T, PortTimingProxy<T>>();
        var typed = (PortTimingProxy<T>)(object)proxy;
        typed.Inner = inner;
        typed.Timings = timings;
        return proxy;
    }

    private sealed class Sum
    {
        public long Ticks;
        public long Calls;
    }
}

/// <summary>The proxy <see cref="PortTimings"/> puts around a port; public only because <see cref="DispatchProxy"/> needs it.</summary>
public class PortTimingProxy<T> : DispatchProxy
    where T : class
{
    internal T Inner { get; set; } = null!;

    internal PortTimings Timings { get; set; } = null!;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var name = typeof(T).Name + "." + targetMethod.Name;
        var start = Stopwatch.GetTimestamp();
        object? result;
        try
        {
            result = targetMethod.Invoke(Inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            Timings.Record(name, start);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }

        if (result is Task task)
        {
            task.ContinueWith(static (_, state) => ((Action)state!)(), (Action)(() => Timings.Record(name, start)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else
        {
            Timings.Record(name, start);
        }

        return result;
    }
}
