using System.Net;
using System.Text.Json;

namespace JourneyFunctions.Host.Tests.Support;

/// <summary>Asserts on RFC 9457 problem responses.</summary>
public static class Problems
{
    /// <summary>Asserts the status and the problem+json content type, and returns the body.</summary>
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        return body;
    }

    /// <summary>Asserts the problem names <paramref name="field"/> in <c>errors</c> and returns its first message.</summary>
    public static async Task<string> AssertFieldAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var body = await AssertAsync(response, status);
        Assert.True(body.TryGetProperty("errors", out var errors), $"no errors in {body}");
        Assert.True(errors.TryGetProperty(field, out var messages), $"errors do not name {field}: {errors}");
        return messages[0].GetString()!;
    }
}
