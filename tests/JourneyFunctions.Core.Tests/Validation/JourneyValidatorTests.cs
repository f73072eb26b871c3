using System.Text.Json.Nodes;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Core.Validation;

namespace JourneyFunctions.Core.Tests.Validation;

public sealed class JourneyValidatorTests
{
    [Theory]
    [InlineData(Journeys.AbandonedCart)]
    [InlineData(Journeys.EveryKind)]
    public void Validate_ValidJourney_HasNoErrors(string json)
    {
        var result = JourneyValidator.Validate(json);

        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        Assert.NotNull(result.Journey);
    }

    [Fact]
    public void Validate_ValidModel_HasNoErrors()
    {
        var journey = JourneyJson.DeserializeJourney(Journeys.EveryKind);

        Assert.Empty(JourneyValidator.Validate(journey));
    }

    [Fact]
    public void Validate_DefinitionWrittenByTheSerializer_IsValid()
    {
        var journey = JourneyJson.DeserializeJourney(Journeys.EveryKind);

        var result = JourneyValidator.Validate(JourneyJson.Serialize(journey));

        Assert.Empty(result.Errors);
        Assert.Equal(journey.Steps.Select(s => s.Kind), result.Journey!.Steps.Select(s => s.Kind));
    }

    [Fact]
    public void Validate_QuotedNumber_IsAcceptedLikeTheSerializerDoes()
    {
        var journey = Journeys.Parse(Journeys.EveryKind);
        Journeys.Step(journey, 10)["paths"]![0]!["percent"] = "50";

        Assert.Empty(JourneyValidator.Validate(journey.ToJsonString()).Errors);
    }

    [Fact]
    public void Validate_SeveralStructuralProblems_ReportsEveryOne()
    {
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        Journeys.Step(journey, 0)["durration"] = "PT2H";
        Journeys.Step(journey, 1)["type"] = "emial";
        Journeys.Step(journey, 6)["add"] = "cart-abandoner";
        journey.Remove("name");

        var result = JourneyValidator.Validate(journey.ToJsonString());

        Assert.Null(result.Journey);
        Assert.False(result.IsValid);
        Assert.Equal(
            [
                ("$.name", ValidationCodes.MissingProperty),
                ("$.steps[0].durration", ValidationCodes.UnknownProperty),
                ("$.steps[1].type", ValidationCodes.UnknownStepKind),
                ("$.steps[6].add", ValidationCodes.WrongType),
            ],
            result.Errors.Select(e => (e.Path, e.Code)).OrderBy(e => e.Path, StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Validate_SeveralSemanticProblems_ReportsEveryOne()
    {
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        Journeys.Step(journey, 0)["duration"] = "1 hour";
        Journeys.Step(journey, 2)["onTimeout"] = "vip-chek";
        Journeys.Step(journey, 4)["next"] = "tagg";
        journey["sendWindow"]!["timeZone"] = "Europe/Madird";

        var result = JourneyValidator.Validate(journey.ToJsonString());

        Assert.NotNull(result.Journey);
        Assert.False(result.IsValid);
        var codes = result.Errors.Select(e => (e.Path, e.Code)).ToHashSet();
        Assert.Contains(("$.steps[0].duration", ValidationCodes.InvalidDuration), codes);
        Assert.Contains(("$.steps[2].onTimeout", ValidationCodes.DanglingStep), codes);
        Assert.Contains(("$.steps[4].next", ValidationCodes.DanglingStep), codes);
        Assert.Contains(("$.sendWindow.timeZone", ValidationCodes.UnknownTimeZone), codes);
    }

    [Fact]
    public void Validate_MisspelledStepReference_SuggestsTheId()
    {
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        Journeys.Step(journey, 3)["else"] = "remindr-2";

        var error = Assert.Single(JourneyValidator.Validate(journey.ToJsonString()).Errors, e => e.Code == ValidationCodes.DanglingStep);

        Assert.Equal("$.steps[3].else", error.Path);
        Assert.Equal("step \"remindr-2\" does not exist; did you mean \"reminder-2\"?", error.Message);
        Assert.Equal("$.steps[3].else: step \"remindr-2\" does not exist; did you mean \"reminder-2\"?", error.ToString());
    }

    [Fact]
    public void Validate_MisspelledRunPath_SuggestsRunKey()
    {
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        journey["exitWhen"]![0]!["filter"] = new JsonObject { ["field"] = "event.cartId", ["equalsField"] = "run.kye" };

        var error = Assert.Single(JourneyValidator.Validate(journey.ToJsonString()).Errors);

        Assert.Equal(("$.exitWhen[0].filter.equalsField", ValidationCodes.InvalidFieldPath), (error.Path, error.Code));
        Assert.Equal("\"run.kye\" is not a value of the run; did you mean \"run.key\"? a run has run.key, the key of a keyed journey's run (e.g. its cart id)", error.Message);
    }

    [Fact]
    public void Validate_RunKeyInEveryRunCondition_IsValidForAKeyedJourney()
    {
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        var sameCart = new JsonObject { ["field"] = "event.cartId", ["equalsField"] = "run.key" };
        journey["exitWhen"]![0]!["filter"] = sameCart.DeepClone();
        journey["exitWhen"]![1]!["matchKey"] = false;
        journey["goal"]!["filter"] = new JsonObject { ["any"] = new JsonArray(sameCart.DeepClone(), new JsonObject { ["field"] = "event.cartId", ["exists"] = false }) };
        journey["goal"]!["matchKey"] = false;
        Journeys.Step(journey, 2)["filter"] = new JsonObject { ["field"] = "run.key", ["equalsField"] = "trigger.cartId" };
        Journeys.Step(journey, 2)["matchKey"] = true;
        Journeys.Step(journey, 3)["if"] = new JsonObject { ["not"] = new JsonObject { ["field"] = "events.wait-order.cartId", ["equalsField"] = "run.key" } };

        Assert.Empty(JourneyValidator.Validate(journey.ToJsonString()).Errors);
    }

    [Fact]
    public void Validate_TypoInTheOnlyLinkToAStep_DoesNotAlsoReportItUnreachable()
    {
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        Journeys.Step(journey, 3)["then"] = "reminder-2-cupon";

        var error = Assert.Single(JourneyValidator.Validate(journey.ToJsonString()).Errors);

        Assert.Equal(("$.steps[3].then", ValidationCodes.DanglingStep), (error.Path, error.Code));
    }

    [Fact]
    public void Validate_UnknownStepKind_ListsTheKinds()
    {
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        Journeys.Step(journey, 1)["type"] = "emial";

        var error = Assert.Single(JourneyValidator.Validate(journey.ToJsonString()).Errors);

        Assert.Contains("did you mean \"email\"?", error.Message, StringComparison.Ordinal);
        Assert.Contains("email, wait, waitForEvent, branch, split, tags, setField, webhook, exit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PropertyOfAnotherStepKind_SaysWhereItBelongs()
    {
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        Journeys.Step(journey, 0)["onTimeout"] = "end";

        var error = Assert.Single(JourneyValidator.Validate(journey.ToJsonString()).Errors);

        Assert.Equal("$.steps[0].onTimeout", error.Path);
        Assert.Contains("belongs to waitForEvent steps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingRequiredProperty_ExplainsItWithTheModelDescription()
    {
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        Journeys.Step(journey, 1).Remove("template");

        var error = Assert.Single(JourneyValidator.Validate(journey.ToJsonString()).Errors);

        Assert.Equal(("$.steps[1].template", ValidationCodes.MissingProperty), (error.Path, error.Code));
        Assert.StartsWith("an email step needs \"template\" (Template name:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\n  \"id\": \"x\",\n  \"name\" \"y\"\n}", 3, 10)]
    [InlineData("{\n  \"id\": \"x\",\n  \"name\": \"café\" \"y\"\n}", 3, 18)]
    [InlineData("{ \"id\": \"x\", ", 1, 14)]
    [InlineData("", 1, 1)]
    public void Validate_MalformedJson_ReportsLineAndColumn(string json, int line, int column)
    {
        var result = JourneyValidator.Validate(json);

        var error = Assert.Single(result.Errors);
        Assert.Equal(ValidationCodes.MalformedJson, error.Code);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.Null(result.Journey);
    }

    [Fact]
    public void Validate_TopLevelArray_ReportsWrongType()
    {
        var error = Assert.Single(JourneyValidator.Validate("[]").Errors);

        Assert.Equal(("$", ValidationCodes.WrongType), (error.Path, error.Code));
    }

    [Fact]
    public void Validate_WithCatalog_ChecksEveryEmailTemplateWithTheEventSteps()
    {
        var catalog = new InMemoryTemplateCatalog(new Dictionary<string, string[]>
        {
            ["cart-reminder-1"] = [],
            ["cart-reminder-2"] = ["it uses {{ events.nope.total }}, which this journey never provides"],
        });

        var errors = JourneyValidator.Validate(Journeys.AbandonedCart, catalog).Errors;

        Assert.Equal(
            [
                ("$.steps[4].template", ValidationCodes.TemplateProblem),
                ("$.steps[5].template", ValidationCodes.UnknownTemplate),
            ],
            errors.Select(e => (e.Path, e.Code)).ToArray());
        Assert.All(catalog.Checks, c => Assert.Equal(["wait-order"], c.Scope.EventStepIds));
    }

    [Fact]
    public void Validate_LoopThroughAWait_IsAllowed()
    {
        var journey = Journeys.Parse("""
            { "id": "j", "name": "n", "trigger": { "event": "e" }, "steps": [
              { "id": "a", "type": "email", "template": "t" },
              { "id": "w", "type": "wait", "duration": "P1D" },
              { "id": "b", "type": "branch", "if": { "tag": "x" }, "then": "a", "else": "end" },
              { "id": "end", "type": "exit" } ] }
            """);

        Assert.Empty(JourneyValidator.Validate(journey.ToJsonString()).Errors);
    }

    [Fact]
    public void Validate_InnerLoopWithoutWaitBesideALoopWithOne_IsReported()
    {
        // a -> b -> a has no wait even though a -> w -> a does.
        var journey = Journeys.Parse("""
            { "id": "j", "name": "n", "trigger": { "event": "e" }, "steps": [
              { "id": "a", "type": "branch", "if": { "tag": "x" }, "then": "b", "else": "w" },
              { "id": "b", "type": "email", "template": "t", "next": "a" },
              { "id": "w", "type": "wait", "duration": "P1D", "next": "a" } ] }
            """);

        var error = Assert.Single(JourneyValidator.Validate(journey.ToJsonString()).Errors);

        Assert.Equal(("$.steps[0]", ValidationCodes.LoopWithoutWait), (error.Path, error.Code));
        Assert.Contains("\"a\", \"b\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ModelBuiltInCode_ChecksSemantics()
    {
        var journey = new JourneyDefinition
        {
            Id = "Welcome Series",
            Name = "Welcome",
            Trigger = new Trigger { TagAdded = "newsletter", Key = "id" },
            Steps =
            [
                new EmailStep { Id = "welcome", Template = "welcome", Next = "welcome" },
            ],
        };

        var errors = JourneyValidator.Validate(journey);

        Assert.Equal(
            [
                ("$.id", ValidationCodes.InvalidId),
                ("$.trigger.key", ValidationCodes.KeyNotAllowed),
                ("$.steps[0]", ValidationCodes.LoopWithoutWait),
            ],
            errors.Select(e => (e.Path, e.Code)).ToArray());
        Assert.Contains("\"welcome-series\"", errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LongGeneratedJourney_HasNoErrors()
    {
        var steps = new JsonArray();
        for (var i = 0; i < 500; i++)
        {
            steps.Add(i % 2 == 0
                ? new JsonObject { ["id"] = $"wait-{i}", ["type"] = "wait", ["duration"] = "P1D" }
                : new JsonObject { ["id"] = $"mail-{i}", ["type"] = "branch", ["if"] = new JsonObject { ["tag"] = "x" }, ["else"] = "wait-0" });
        }

        var journey = new JsonObject { ["id"] = "long", ["name"] = "Long", ["trigger"] = new JsonObject { ["event"] = "e" }, ["steps"] = steps };

        Assert.Empty(JourneyValidator.Validate(journey.ToJsonString()).Errors);
    }

    [Fact]
    public void Validate_DuplicateId_NamesTheOtherStepByItsJsonPath()
    {
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        Journeys.Step(journey, 4)["id"] = "grace";

        var error = Assert.Single(JourneyValidator.Validate(journey.ToJsonString()).Errors, e => e.Code == ValidationCodes.DuplicateStepId);

        Assert.Equal("$.steps[4].id", error.Path);
        Assert.Contains("already used by $.steps[0]", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("step 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NoTemplateCatalog_NotesThatTemplatesWereNotChecked_EvenWithOtherProblems()
    {
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        Journeys.Step(journey, 4)["id"] = "grace";

        var result = JourneyValidator.Validate(journey.ToJsonString());

        Assert.NotEmpty(result.Errors);
        Assert.Contains(JourneyValidator.TemplatesNote, result.Notes);
    }

    [Fact]
    public void Validate_NoTemplateCatalog_ValidJourney_StillNotesTheSkippedCheck()
    {
        var result = JourneyValidator.Validate(Journeys.AbandonedCart);

        Assert.True(result.IsValid);
        Assert.Equal([JourneyValidator.TemplatesNote], result.Notes);
    }

    [Fact]
    public void Validate_StructuralProblems_NotesThatTheOtherChecksDidNotRun()
    {
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        Journeys.Step(journey, 0)["durration"] = "PT2H";

        var result = JourneyValidator.Validate(journey.ToJsonString());

        Assert.NotEmpty(result.Errors);
        Assert.Contains(JourneyValidator.StructuralNote, result.Notes);
    }

    [Fact]
    public void Validate_TemplatesWithNotes_NotesEachAfterThePathOfItsEmailStep_AndStaysValid()
    {
        var catalog = new NotingTemplateCatalog(new Dictionary<string, string[]>
        {
            ["cart-reminder-1"] = ["money expects a number in \"trigger.total\""],
        });

        var result = JourneyValidator.Validate(Journeys.AbandonedCart, catalog);

        Assert.True(result.IsValid);
        var steps = result.Journey!.Steps;
        var index = steps.ToList().FindIndex(s => s is EmailStep { Template: "cart-reminder-1" });
        Assert.Equal([$"$.steps[{index}].template: money expects a number in \"trigger.total\""], result.Notes);
    }

    [Fact]
    public void Validate_CatalogWithoutNotes_NoNotes()
    {
        var result = JourneyValidator.Validate(Journeys.AbandonedCart, new NotingTemplateCatalog(new Dictionary<string, string[]>()));

        Assert.True(result.IsValid);
        Assert.Empty(result.Notes);
    }
}
