using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Core.Validation;

namespace JourneyFunctions.Benchmarks;

/// <summary>
/// Validation time of a generated 200-step journey that uses every step kind: from text (parse, structural pass,
/// deserialize, semantic pass) and from the model (semantic pass only). Run:
/// <c>dotnet run -c Release --project bench/JourneyFunctions.Benchmarks -- --filter '*Validation*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private string _text = string.Empty;

    private JourneyDefinition _journey = null!;

    [Params(200)]
    public int Steps { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _text = Generate(Steps);
        _journey = JourneyJson.DeserializeJourney(_text);
        var errors = JourneyValidator.Validate(_text).Errors;
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("The generated journey must be valid: " + string.Join("; ", errors));
        }
    }

    [Benchmark]
    public int ValidateText() => JourneyValidator.Validate(_text).Errors.Count;

    [Benchmark]
    public int ValidateModel() => JourneyValidator.Validate(_journey).Count;

    /// <summary>A valid journey of <paramref name="count"/> steps cycling through the step kinds, with branches and loops back through waits.</summary>
    internal static string Generate(int count)
    {
        var steps = new JsonArray();
        for (var i = 0; i < count - 1; i++)
        {
            var id = $"step-{i}";
            JsonObject step = (i % 10) switch
            {
                0 => new JsonObject { ["id"] = id, ["type"] = "wait", ["duration"] = "P1DT2H" },
                1 => new JsonObject { ["id"] = id, ["type"] = "email", ["template"] = "welcome" },
                2 => new JsonObject
                {
                    ["id"] = id, ["type"] = "waitForEvent", ["event"] = "order.placed", ["timeout"] = "P3D",
                    ["filter"] = new JsonObject { ["field"] = "event.total", ["greaterThan"] = 20 },
                },
                3 => new JsonObject
                {
                    ["id"] = id, ["type"] = "branch",
                    ["if"] = new JsonObject
                    {
                        ["all"] = new JsonArray(
                            new JsonObject { ["tag"] = "vip" },
                            new JsonObject { ["field"] = $"events.step-{i - 1}.total", ["exists"] = true },
                            new JsonObject { ["emailOpened"] = $"step-{i - 2}" }),
                    },
                    ["else"] = i >= 10 ? $"step-{i - 3}" : null,
                },
                4 => new JsonObject
                {
                    ["id"] = id, ["type"] = "split",
                    ["paths"] = new JsonArray(new JsonObject { ["percent"] = 50 }, new JsonObject { ["percent"] = 50, ["label"] = "B" }),
                },
                5 => new JsonObject { ["id"] = id, ["type"] = "tags", ["add"] = new JsonArray("engaged"), ["remove"] = new JsonArray("new") },
                6 => new JsonObject { ["id"] = id, ["type"] = "setField", ["field"] = "lastStep", ["value"] = id },
                7 => new JsonObject { ["id"] = id, ["type"] = "webhook", ["url"] = "https://crm.example.com/hook" },
                8 => new JsonObject { ["id"] = id, ["type"] = "wait", ["until"] = new JsonObject { ["time"] = "09:00", ["days"] = new JsonArray("mon", "thu") } },
                _ => new JsonObject { ["id"] = id, ["type"] = "email", ["template"] = "tips", ["ignoreSendWindow"] = true },
            };
            if (step["else"] is null)
            {
                step.Remove("else");
            }

            steps.Add(step);
        }

        steps.Add(new JsonObject { ["id"] = "end", ["type"] = "exit" });
        var journey = new JsonObject
        {
            ["$schema"] = "../schema/journey.schema.json",
            ["id"] = "generated",
            ["name"] = "Generated",
            ["trigger"] = new JsonObject { ["event"] = "contact.subscribed" },
            ["exitWhen"] = new JsonArray(new JsonObject { ["event"] = "contact.unsubscribed" }),
            ["goal"] = new JsonObject { ["event"] = "order.placed", ["within"] = "P30D" },
            ["sendWindow"] = new JsonObject { ["from"] = "09:00", ["to"] = "20:00", ["timeZone"] = "Europe/Madrid" },
            ["steps"] = steps,
        };
        return journey.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }
}
