namespace JourneyFunctions.Core.Ports;

/// <summary>What journey validation asks of the templates.</summary>
public interface ITemplateCatalog
{
    bool Exists(string template);

    /// <summary>
    /// Problems with a template for use in a journey: parse errors, and variables the journey can never provide.
    /// Each problem is a sentence a marketer understands.
    /// </summary>
    IReadOnlyList<string> Check(string template, TemplateScope scope);

    /// <summary>
    /// What a template needs of its data that is not a problem of the template itself: which variables its numeric
    /// filters take (money, times, plus ...), with the file and line, so a marketer knows those fields must be numbers.
    /// Each note is a sentence; none stops a journey from validating or publishing.
    /// </summary>
    IReadOnlyList<string> Notes(string template) => [];
}

/// <summary>What a journey can provide to a template at a step: events.&lt;id&gt; exist only for these waitForEvent/webhook step ids.</summary>
public sealed record TemplateScope(IReadOnlyCollection<string> EventStepIds);
