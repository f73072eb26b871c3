using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Validation;

namespace JourneyFunctions.Core.Tests.Scenarios;

/// <summary>The shipped journeys are valid, name the schema, and use only templates that ship with them.</summary>
public sealed class SampleJourneyTests
{
    public static TheoryData<string> Files => new(Directory.GetFiles(Path.Combine(Repo.Root, "journeys"), "*.json").Select(Path.GetFileName)!);

    [Fact]
    public void Journeys_Folder_HoldsTheFourSamples()
    {
        var names = Directory.GetFiles(Path.Combine(Repo.Root, "journeys"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(new[] { "abandoned-cart.json", "post-purchase-review.json", "re-engagement.json", "welcome-series.json" }, names);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void SampleJourney_Validate_HasNoErrors(string file)
    {
        var result = JourneyValidator.Validate(File.ReadAllText(Path.Combine(Repo.Root, "journeys", file)));

        Assert.Empty(result.Errors);
        Assert.Equal("../schema/journey.schema.json", result.Journey!.Schema);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), result.Journey.Id);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void SampleJourney_EmailTemplates_ShipInTemplatesFolder(string file)
    {
        var journey = Repo.LoadJourney(Path.GetFileNameWithoutExtension(file));

        foreach (var email in journey.Steps.OfType<EmailStep>())
        {
            Assert.True(Directory.Exists(Path.Combine(Repo.Root, "templates", email.Template)), $"templates/{email.Template} is missing");
        }
    }
}
