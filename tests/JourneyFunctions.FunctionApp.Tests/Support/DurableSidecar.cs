using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.FunctionApp.Tests.Support;

/// <summary>
/// The Durable Task engine of the tests: InProcessTestHost's gRPC sidecar (<see cref="TaskHubGrpcServer"/>, the same
/// server <c>DurableTaskTestHost</c> starts) over a given <see cref="IOrchestrationService"/>: the package's in-memory
/// service, or DTFx's Azure Storage backend on Azurite. <c>DurableTaskTestHost.StartAsync</c> itself always creates
/// the in-memory service and picks a random port in 30000-40000; composing the same pieces here lets the backend be
/// chosen and binds port 0 on loopback, so test classes running in parallel never collide.
/// </summary>
public sealed class DurableSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DurableSidecar(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<DurableSidecar> StartAsync(IOrchestrationService service, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service is not IOrchestrationServiceClient client)
        {
            throw new ArgumentException($"{service.GetType().Name} is not also an IOrchestrationServiceClient.", nameof(service));
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        builder.Services.AddSingleton(client);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new DurableSidecar(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
