using System.Text;
using System.Text.Json;
using JourneyFunctions.FunctionApp.Tests.Orchestrations;
using JourneyFunctions.FunctionApp.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace JourneyFunctions.FunctionApp.Tests;

/// <summary>
/// An id holding <c>/</c> through the Functions app's HTTP functions, called with a real <see cref="HttpRequest"/> as
/// the worker gets it: the path as routing decoded it (everything but <c>%2F</c>), the raw target as sent, and the
/// <c>string id</c> the host's routing binds (with <c>%2F</c> still encoded). The built-in host serves
/// <c>gid://shopify/Customer/7008</c> on every route; the Functions app must too.
/// </summary>
public sealed class RouteIdTests(MemoryFunctionAppFixture fixture) : IClassFixture<MemoryFunctionAppFixture>
{
    private const string Id = "gid://shopify/Customer/7008";
    private const string Encoded = "gid%3A%2F%2Fshopify%2FCustomer%2F7008";
    private const string AsRouted = "gid:%2F%2Fshopify%2FCustomer%2F7008";

    private readonly FunctionAppHost _app = fixture.Host;

    [Fact]
    public async Task ContactRoutes_IdWithSlashes_ReadExportAndEraseTheContactItNames()
    {
        var upsert = Request("POST", "/api/contacts", $$"""{ "id": "{{Id}}", "email": "shopify-7008@example.com" }""");
        await Run(upsert, await _app.Get<ContactsFunctions>().UpsertContact(upsert.Request, CancellationToken.None));
        Assert.Equal(StatusCodes.Status200OK, upsert.Response.StatusCode);

        var get = Request("GET", "/api/contacts/" + Encoded);
        var body = await Run(get, await _app.Get<ContactsFunctions>().GetContact(get.Request, AsRouted, CancellationToken.None));
        Assert.Equal(StatusCodes.Status200OK, get.Response.StatusCode);
        Assert.Equal(Id, JsonDocument.Parse(body).RootElement.GetProperty("id").GetString());

        var export = Request("GET", "/api/contacts/" + Encoded + "/export");
        await Run(export, await _app.Get<StorefrontFunctions>().ExportContact(export.Request, AsRouted, CancellationToken.None));
        Assert.Equal(StatusCodes.Status200OK, export.Response.StatusCode);

        var erase = Request("DELETE", "/api/contacts/" + Encoded);
        await Run(erase, await _app.Get<ContactsFunctions>().EraseContact(erase.Request, AsRouted, _app.Client, CancellationToken.None));
        Assert.Equal(StatusCodes.Status204NoContent, erase.Response.StatusCode);

        var gone = Request("GET", "/api/contacts/" + Encoded);
        await Run(gone, await _app.Get<ContactsFunctions>().GetContact(gone.Request, AsRouted, CancellationToken.None));
        Assert.Equal(StatusCodes.Status404NotFound, gone.Response.StatusCode);
    }

    private HttpContext Request(string method, string rawTarget, string? body = null)
    {
        var http = new DefaultHttpContext { RequestServices = _app.Services };
        http.Request.Method = method;

        // What Kestrel and routing make of the target: decoded, except %2F.
        http.Request.Path = new PathString(Uri.UnescapeDataString(rawTarget.Replace("%2F", "%252F", StringComparison.Ordinal)));
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = rawTarget;
        http.Request.ContentType = "application/json";
        http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body ?? string.Empty));
        http.Response.Body = new MemoryStream();
        return http;
    }

    private static async Task<string> Run(HttpContext http, IResult result)
    {
        await result.ExecuteAsync(http);
        http.Response.Body.Position = 0;
        return await new StreamReader(http.Response.Body).ReadToEndAsync();
    }
}
