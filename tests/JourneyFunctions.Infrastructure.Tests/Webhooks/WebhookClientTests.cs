using System.Collections.Concurrent;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.Tests.Webhooks;

/// <summary>
/// The webhook client against a real receiver on Kestrel at 127.0.0.1: loopback is an internal address, so the
/// connection is refused unless the host is allowed; redirects are not followed; secrets come from configuration.
/// </summary>
public sealed class WebhookClientTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string Path, string? Authorization)> _received = new();
    private WebApplication _receiver = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _receiver = builder.Build();
        _receiver.Run(async context =>
        {
            _received.Enqueue((context.Request.Path, context.Request.Headers.Authorization.ToString()));
            if (context.Request.Path == "/redirect")
            {
                context.Response.StatusCode = StatusCodes.Status302Found;
                context.Response.Headers.Location = "/target";
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"ok":true}""");
        });
        await _receiver.StartAsync();
        var address = _receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _port = new Uri(address).Port;
    }

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task SendAsync_LoopbackNotAllowed_RefusedPermanentlyBeforeConnecting(string host)
    {
        var client = Client(new WebhookOptions(), isDevelopment: false);

        var refused = await Assert.ThrowsAsync<WebhookException>(() => client.SendAsync(Call($"http://{host}:{_port}/hook")));

        Assert.False(refused.Transient);
        Assert.Contains("internal address", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_received);
    }

    [Fact]
    public async Task SendAsync_HostInAllowedHosts_Connects()
    {
        var client = Client(new WebhookOptions { AllowedHosts = ["localhost"] }, isDevelopment: false);

        var response = await client.SendAsync(Call($"http://localhost:{_port}/hook"));

        Assert.Equal(200, response.StatusCode);
        Assert.Single(_received);
    }

    [Fact]
    public async Task SendAsync_Development_AllowsLoopback()
    {
        var client = Client(new WebhookOptions(), isDevelopment: true);

        var response = await client.SendAsync(Call($"http://127.0.0.1:{_port}/hook"));

        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task SendAsync_Redirect_NotFollowedAndPermanent()
    {
        var client = Client(new WebhookOptions(), isDevelopment: true);

        var refused = await Assert.ThrowsAsync<WebhookException>(() => client.SendAsync(Call($"http://127.0.0.1:{_port}/redirect", ("Authorization", "Bearer x"))));

        Assert.False(refused.Transient);
        Assert.Equal(["/redirect"], _received.Select(r => r.Path));
    }

    [Fact]
    public async Task SendAsync_SecretReference_FilledFromConfiguration()
    {
        var options = new WebhookOptions { Secrets = new Dictionary<string, string> { ["crm-token"] = "s3cr3t" } };
        var client = Client(options, isDevelopment: true);

        await client.SendAsync(Call($"http://127.0.0.1:{_port}/hook", ("Authorization", "Bearer {{secret:crm-token}}")));

        Assert.Equal("Bearer s3cr3t", Assert.Single(_received).Authorization);
    }

    [Fact]
    public async Task SendAsync_UnknownSecret_PermanentAndNothingSent()
    {
        var client = Client(new WebhookOptions(), isDevelopment: true);

        var refused = await Assert.ThrowsAsync<WebhookException>(() => client.SendAsync(Call($"http://127.0.0.1:{_port}/hook", ("Authorization", "Bearer {{secret:missing}}"))));

        Assert.False(refused.Transient);
        Assert.Contains("Webhooks:Secrets:missing", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_received);
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("10.1.2.3")]
    [InlineData("192.168.0.1")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("64:ff9b::a00:1")]
    public void IsPublic_InternalAddresses_False(string address) =>
        Assert.False(Core.Security.NetworkAddresses.IsPublic(System.Net.IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("2606:4700::6810:84e5")]
    public void IsPublic_PublicAddresses_True(string address) =>
        Assert.True(Core.Security.NetworkAddresses.IsPublic(System.Net.IPAddress.Parse(address)));

    private static HttpWebhookClient Client(WebhookOptions options, bool isDevelopment) =>
        new(new HttpClient(WebhookHttpHandler.Create(options, isDevelopment)) { Timeout = TimeSpan.FromSeconds(10) }, Options.Create(options));

    private static WebhookCall Call(string url, params (string Name, string Value)[] headers) =>
        new("POST", new Uri(url), headers.ToDictionary(h => h.Name, h => h.Value), "{}", "op-1");
}
