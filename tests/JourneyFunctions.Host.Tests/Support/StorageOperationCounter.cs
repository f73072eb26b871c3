using System.Collections.Concurrent;
using System.Reflection;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Host.Composition;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Host.Tests.Support;

/// <summary>
/// Counts calls to the storage ports (each call is one storage round trip or more on Azure Table/Queue Storage), by
/// port and method, by wrapping every registered port in a counting proxy.
/// </summary>
public sealed class StorageOperationCounter
{
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);

    public long Total => _calls.Values.Sum();

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_calls, StringComparer.Ordinal);

    public void Reset() => _calls.Clear();

    /// <summary>Wraps every storage port registered in <paramref name="services"/>.</summary>
    public void Attach(IServiceCollection services)
    {
        Wrap<IContactStore>(services);
        Wrap<IJourneyStore>(services);
        Wrap<IRunStore>(services);
        Wrap<ISendLedger>(services);
        Wrap<ISuppressionStore>(services);
        Wrap<ITimelineStore>(services);
        Wrap<IStatsStore>(services);
        Wrap<IProcessedEventStore>(services);
        Wrap<ILeaseStore>(services);
        Wrap<IEventQueue>(services);
    }

    private void Wrap<T>(IServiceCollection services)
        where T : class =>
        services.Decorate<T>((inner, _) => CountingProxy<T>.Create(inner, this));

    internal void Record(string name) => _calls.AddOrUpdate(name, 1, (_, n) => n + 1);

    /// <summary>Forwards every call to the real port and counts it.</summary>
    public class CountingProxy<T> : DispatchProxy
        where T : class
    {
        private T _inner = null!;
        private StorageOperationCounter _counter = null!;

        public static T Create(T inner, StorageOperationCounter counter)
        {
            var proxy = DispatchProxy.Create<T, CountingProxy<T>>();
            var typed = (CountingProxy<T>)(object)proxy;
            typed._inner = inner;
            typed._counter = counter;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            _counter.Record($"{typeof(T).Name}.{targetMethod.Name}");
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }
    }
}
