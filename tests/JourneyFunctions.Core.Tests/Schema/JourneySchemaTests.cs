using System.Text.Json.Nodes;
using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Core.Tests.Validation;
using NJsonSchema;

namespace JourneyFunctions.Core.Tests.Schema;

public sealed class JourneySchemaTests
{
    private static readonly Lazy<JsonObject> Generated = new(JourneySchema.GenerateNode);

    [Fact]
    public void Generate_CommittedSchemaFile_MatchesTheModel()
    {
        var file = Path.Combine(RepositoryRoot(), JourneySchema.RelativePath);
        Assert.True(File.Exists(file), $"{JourneySchema.RelativePath} is missing. Generate it: dotnet run --project src/JourneyFunctions.Cli -- schema > {JourneySchema.RelativePath}");

        var committed = File.ReadAllText(file).ReplaceLineEndings("\n");

        Assert.True(
            committed == JourneySchema.Generate(),
            $"{JourneySchema.RelativePath} no longer matches the journey model. Regenerate it from the repository root: dotnet run --project src/JourneyFunctions.Cli -- schema > {JourneySchema.RelativePath}");
    }

    [Fact]
    public void Generate_Twice_GivesTheSameText()
    {
        Assert.Equal(JourneySchema.Generate(), JourneySchema.Generate());
    }

    [Fact]
    public void Generate_Root_DeclaresDraft07AndRefusesUnknownProperties()
    {
        var schema = Generated.Value;

        Assert.Equal(JourneySchema.Dialect, schema["$schema"]!.GetValue<string>());
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
        Assert.Equal(["id", "name", "trigger", "steps"], schema["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public void Generate_StepType_IsAnEnumOfEveryKindWithOneBranchPerKind()
    {
        var step = Generated.Value["definitions"]!["Step"]!;

        var kinds = step["properties"]!["type"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        var branches = step["oneOf"]!.AsArray().Select(b => Assert.Single(b!["properties"]!["type"]!["enum"]!.AsArray())!.GetValue<string>()).ToArray();

        Assert.Equal(["email", "wait", "waitForEvent", "branch", "split", "tags", "setField", "webhook", "exit"], kinds);
        Assert.Equal(kinds, branches);
        Assert.All(step["oneOf"]!.AsArray(), b => Assert.False(b!["additionalProperties"]!.GetValue<bool>()));
        Assert.DoesNotContain("kind", step["oneOf"]![0]!["properties"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Generate_EveryProperty_HasADescription()
    {
        var missing = new List<string>();
        Walk(Generated.Value, "$", missing);

        Assert.Empty(missing);

        static void Walk(JsonNode? node, string path, List<string> missing)
        {
            if (node is JsonObject obj)
            {
                if (obj["properties"] is JsonObject properties)
                {
                    foreach (var (name, schema) in properties)
                    {
                        if (schema is not JsonObject p || !p.ContainsKey("description"))
                        {
                            missing.Add($"{path}.properties.{name}");
                        }
                    }
                }

                foreach (var (name, child) in obj)
                {
                    Walk(child, $"{path}.{name}", missing);
                }
            }
            else if (node is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], $"{path}[{i}]", missing);
                }
            }
        }
    }

    [Theory]
    [InlineData(Journeys.AbandonedCart)]
    [InlineData(Journeys.EveryKind)]
    public async Task Schema_ValidJourney_IsAccepted(string json)
    {
        var schema = await JsonSchema.FromJsonAsync(JourneySchema.Generate());

        var errors = schema.Validate(json);

        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.ToString())));
    }

    [Theory]
    [InlineData("tempalte", "\"x\"")]
    [InlineData("type", "\"emial\"")]
    [InlineData("ignoreSendWindow", "\"yes\"")]
    public async Task Schema_BrokenEmailStep_IsRefused(string property, string value)
    {
        var schema = await JsonSchema.FromJsonAsync(JourneySchema.Generate());
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        Journeys.Step(journey, 1)[property] = JsonNode.Parse(value);

        var errors = schema.Validate(journey.ToJsonString());

        Assert.NotEmpty(errors);
    }

    [Fact]
    public async Task Schema_NestedConditionTypo_IsRefused()
    {
        var schema = await JsonSchema.FromJsonAsync(JourneySchema.Generate());
        var journey = Journeys.Parse(Journeys.EveryKind);
        Journeys.Step(journey, 4)["if"]!["all"]![1]!["not"]!["tagg"] = "x";

        var errors = schema.Validate(journey.ToJsonString());

        Assert.NotEmpty(errors);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "JourneyFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No JourneyFunctions.sln above {AppContext.BaseDirectory}.");
    }
}
