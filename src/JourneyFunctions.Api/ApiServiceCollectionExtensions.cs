using JourneyFunctions.Api.Storefronts;
using JourneyFunctions.Simulation;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyFunctions.Api;

/// <summary>The services the HTTP API's handlers need in either host: limits, JSON, problems and the simulator.</summary>
public static class ApiServiceCollectionExtensions
{
    public static IServiceCollection AddJourneyApi(this IServiceCollection services)
    {
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName);
        services.AddOptions<SimulationApiOptions>().BindConfiguration(ApiOptions.SectionName + ":" + nameof(ApiOptions.Simulation));
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => ApiJson.ConfigureWrite(o.SerializerOptions));
        services.AddSingleton<ApiExceptionHandler>();
        services.AddSingleton<ApiSimulator>();
        services.AddStorefronts();
        return services;
    }
}
