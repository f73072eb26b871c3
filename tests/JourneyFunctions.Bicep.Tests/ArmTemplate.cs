using System.Text.Json.Nodes;

namespace JourneyFunctions.Bicep.Tests;

/// <summary>
/// The ARM JSON bicep produced, with every resource of every nested module deployment flattened into one list.
/// Handles both template shapes: resources as an array (languageVersion 1) and as an object keyed by symbolic name
/// (languageVersion 2.0).
/// </summary>
internal sealed class ArmTemplate
{
    public ArmTemplate(JsonObject root)
    {
        Root = root;
        var resources = new List<ArmResource>();
        Collect(root, "main", resources);
        Resources = resources;
    }

    public JsonObject Root { get; }

    public IReadOnlyList<ArmResource> Resources { get; }

    public IEnumerable<ArmResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    public ArmResource Single(string type)
    {
        var matches = OfType(type).ToList();
        Assert.True(matches.Count == 1, $"Expected exactly one {type}, found {matches.Count}.");
        return matches[0];
    }

    /// <summary>The nested template of a module deployment, by module name (the Bicep symbolic name of the module).</summary>
    public JsonObject Module(string name) =>
        OfType("Microsoft.Resources/deployments").Single(r => r.Symbol == name).Body["properties"]!["template"]!.AsObject();

    private static void Collect(JsonObject template, string module, List<ArmResource> into)
    {
        IEnumerable<(string? Symbol, JsonObject Body)> entries = template["resources"] switch
        {
            JsonArray array => array.Select(n => ((string?)null, n!.AsObject())),
            JsonObject map => map.Select(kv => ((string?)kv.Key, kv.Value!.AsObject())),
            _ => [],
        };

        foreach (var (symbol, body) in entries)
        {
            // A resource with "existing": true is only a reference; it is not deployed.
            if (body["existing"]?.GetValue<bool>() == true)
            {
                continue;
            }

            var resource = new ArmResource(module, symbol, (string)body["type"]!, body);
            into.Add(resource);
            if (resource.Type.Equals("Microsoft.Resources/deployments", StringComparison.OrdinalIgnoreCase)
                && body["properties"]?["template"] is JsonObject nested)
            {
                Collect(nested, symbol ?? module, into);
            }
        }
    }
}

internal sealed record ArmResource(string Module, string? Symbol, string Type, JsonObject Body)
{
    public JsonNode? Properties => Body["properties"];

    public override string ToString() => $"{Module}/{Symbol} ({Type})";
}
