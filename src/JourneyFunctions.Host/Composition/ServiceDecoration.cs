using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Host.Composition;

/// <summary>Wraps an already registered singleton service in a decorator (telemetry), keeping its lifetime.</summary>
public static class ServiceDecoration
{
    public static IServiceCollection Decorate<TService>(this IServiceCollection services, Func<TService, IServiceProvider, TService> decorate)
        where TService : class
    {
        var index = -1;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(TService) && !services[i].IsKeyedService)
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            throw new InvalidOperationException($"{typeof(TService).Name} is not registered, so it cannot be decorated.");
        }

        var inner = services[index];
        services[index] = new ServiceDescriptor(typeof(TService), sp => decorate((TService)Create(inner, sp), sp), inner.Lifetime);
        return services;
    }

    private static object Create(ServiceDescriptor descriptor, IServiceProvider provider) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
}
