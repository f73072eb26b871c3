using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Validation;

/// <summary>What the semantic checks share: the definition, the template catalog, the step ids seen so far and the
/// error list they add to.</summary>
internal sealed class SemanticContext(JourneyDefinition journey, ITemplateCatalog? templates, List<ValidationError> errors)
{
    /// <summary>Ids of the steps whose received data later steps read as events.&lt;id&gt; (waitForEvent and webhook).</summary>
    private string[]? _eventStepIds;

    public JourneyDefinition Journey { get; } = journey;

    public ITemplateCatalog? Templates { get; } = templates;

    /// <summary>Step id to the index of its first occurrence, filled by <see cref="FieldChecks.IndexSteps"/> (so
    /// checks of the trigger, exit rules and goal, which run before it, see no steps).</summary>
    public Dictionary<string, int> Index { get; } = new(StringComparer.Ordinal);

    public string[] EventStepIds => _eventStepIds ??= Journey.Steps.Where(s => s is WaitForEventStep or WebhookStep).Select(s => s.Id).ToArray();

    public static string StepPath(int i) => JsonPaths.Index("$.steps", i);

    public static string Join(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"\"{n}\""));

    public IEnumerable<string> EmailStepIds() => Journey.Steps.OfType<EmailStep>().Select(s => s.Id);

    public void Add(string path, string code, string message) => errors.Add(new ValidationError(path, code, message));

    public void CheckNotEmpty(string? value, string path, string message)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            Add(path, ValidationCodes.EmptyValue, message);
        }
    }
}
