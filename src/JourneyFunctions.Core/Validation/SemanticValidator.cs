using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Validation;

/// <summary>
/// The semantic pass over a deserialized definition, in three concerns: the definition's own fields
/// (<see cref="FieldChecks"/>: ids, trigger, re-entry, exit rules, goal, send window, each step's settings),
/// conditions (<see cref="ConditionChecks"/>) and the step graph (<see cref="GraphChecks"/>: reachability, loops
/// without a wait). Paths are the JSON paths of the file the definition came from (steps keep their list positions).
/// </summary>
internal sealed class SemanticValidator(JourneyDefinition journey, ITemplateCatalog? templates, List<ValidationError> errors)
{
    public void Run()
    {
        var context = new SemanticContext(journey, templates, errors);
        var fields = new FieldChecks(context, new ConditionChecks(context));
        fields.CheckJourney();
        if (journey.Steps.Count == 0)
        {
            context.Add("$.steps", ValidationCodes.NoSteps, "the journey has no steps: add at least one, e.g. an email step");
            return;
        }

        fields.IndexSteps();
        for (var i = 0; i < journey.Steps.Count; i++)
        {
            fields.CheckStep(journey.Steps[i], SemanticContext.StepPath(i));
        }

        new GraphChecks(context).Check();
    }
}
