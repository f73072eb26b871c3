using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using JourneyFunctions.Core.Validation;

namespace JourneyFunctions.Core.Tests.Validation;

/// <summary>Whatever a person types, the validator answers with errors and never throws.</summary>
public sealed class JourneyValidatorPropertyTests
{
    [Property(MaxTest = 300)]
    public bool Validate_AnyTruncatedJourney_IsRejectedWithoutThrowing(PositiveInt cut)
    {
        var text = Journeys.EveryKind;
        var result = JourneyValidator.Validate(text[..(cut.Get % text.Length)]);

        return !result.IsValid && result.Errors.Count > 0 && result.Errors.All(e => e.Message.Length > 0);
    }

    [Property(MaxTest = 500)]
    public bool Validate_AnyOneCharacterEdit_NeverThrowsAndIsValidOnlyWithAJourney(PositiveInt position, char replacement)
    {
        var text = Journeys.EveryKind;
        var i = position.Get % text.Length;
        var edited = string.Concat(text.AsSpan(0, i), replacement.ToString(), text.AsSpan(i + 1));

        var result = JourneyValidator.Validate(edited);

        return result.IsValid ? result.Journey is not null : result.Errors.Count > 0;
    }

    [Property(MaxTest = 200)]
    public Property Validate_ShuffledStepIds_NeverThrows(int seed)
    {
        var journey = Journeys.Parse(Journeys.AbandonedCart);
        var steps = journey["steps"]!.AsArray();
        var random = new Random(seed);
        foreach (var step in steps)
        {
            step!["id"] = steps[random.Next(steps.Count)]!["id"]!.GetValue<string>() + (random.Next(3) == 0 ? "x" : string.Empty);
        }

        var result = JourneyValidator.Validate(journey.ToJsonString());

        return (result.Journey is not null).Label("still a journey structurally");
    }
}
