using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Api;

/// <summary>
/// JSON for the API. Requests are read with the journey options (unknown properties refused, nullability respected,
/// comments allowed), so a typo in a field name is a 400 naming it rather than a silently ignored value. Responses
/// are camelCase with enums as strings and nulls left out.
/// </summary>
public static class ApiJson
{
    public static JsonSerializerOptions Read { get; } = CreateRead();

    /// <summary>Applies the response settings to the options ASP.NET Core writes results with.</summary>
    public static void ConfigureWrite(JsonSerializerOptions options)
    {
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new UtcInstantConverter());
    }

    private static JsonSerializerOptions CreateRead()
    {
        var options = new JsonSerializerOptions(JourneyJson.Options);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
