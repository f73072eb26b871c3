using System.Text.Json;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Core.Validation;

/// <summary>
/// Checks journeys and reports every problem at once, each with its JSON path and a sentence a marketer
/// understands, instead of stopping at the first. Text goes through a structural pass over the raw JSON (where
/// System.Text.Json would throw on the first problem) and, when that is clean, a semantic pass over the
/// deserialized definition. Pure: no I/O except what the optional template catalog does.
/// </summary>
public static class JourneyValidator
{
    /// <summary>
    /// Validates a journey file's text. The result's <see cref="ValidationResult.Journey"/> is set whenever the text
    /// could be read as a journey, even when semantic errors remain.
    /// </summary>
    /// <param name="json">The file's text.</param>
    /// <param name="templates">When given, email templates must exist and pass <see cref="ITemplateCatalog.Check"/>.</param>
    /// <param name="secrets">When given, a webhook header's <c>{{secret:NAME}}</c> that it does not hold is a warning.</param>
    public static ValidationResult Validate(string json, ITemplateCatalog? templates = null, IWebhookSecretNames? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var errors = new List<ValidationError>();
        var options = JourneyJson.Options;
        using var document = StructuralValidator.Parse(json, options, errors);
        if (document is null)
        {
            return new ValidationResult(null, errors);
        }

        new StructuralValidator(options, errors).Check(document.RootElement, typeof(JourneyDefinition), JsonPaths.Root);
        if (errors.Count > 0)
        {
            return new ValidationResult(null, errors) { Notes = [StructuralNote] };
        }

        JourneyDefinition journey;
        try
        {
            journey = document.RootElement.Deserialize<JourneyDefinition>(options)
                ?? throw new JsonException("The journey is null.");
        }
        catch (JsonException ex)
        {
            // The structural pass mirrors the serializer; this is the safety net for a rule it does not know yet.
            errors.Add(new ValidationError(ex.Path ?? JsonPaths.Root, ValidationCodes.InvalidValue, ex.Message));
            return new ValidationResult(null, errors);
        }

        new SemanticValidator(journey, templates, errors).Run();
        WebhookSafety.Check(journey, errors);
        var warnings = new List<ValidationError>();
        if (secrets is not null)
        {
            WebhookSafety.CheckSecretsConfigured(journey, secrets, warnings);
        }

        return new ValidationResult(journey, errors) { Notes = [.. SkippedChecks(journey, templates), .. TemplateNotes(journey, templates)], Warnings = warnings };
    }

    /// <summary>
    /// The notes of each email step's template (<see cref="ITemplateCatalog.Notes"/>: which variables must be numbers),
    /// each after the JSON path of the step's template, e.g. <c>$.steps[1].template: template "cart-reminder-1" ...</c>.
    /// </summary>
    public static IReadOnlyList<string> TemplateNotes(JourneyDefinition journey, ITemplateCatalog? templates)
    {
        ArgumentNullException.ThrowIfNull(journey);
        if (templates is null)
        {
            return [];
        }

        var notes = new List<string>();
        for (var i = 0; i < journey.Steps.Count; i++)
        {
            if (journey.Steps[i] is EmailStep { Template: { Length: > 0 } template } && templates.Exists(template))
            {
                var path = JsonPaths.Index("$.steps", i) + ".template";
                notes.AddRange(templates.Notes(template).Select(note => $"{path}: {note}"));
            }
        }

        return notes;
    }

    /// <summary>The note when the structural pass found problems and the semantic checks therefore did not run.</summary>
    public const string StructuralNote = "the step, trigger and template checks did not run because the file's structure has problems; fix those and validate again";

    /// <summary>The note when email steps exist but no template catalog was given, so their templates were not checked.</summary>
    public const string TemplatesNote = "email template names were not checked: no templates folder was found at or above the journey (give one with --templates <dir>)";

    /// <summary>The checks skipped for a definition that passed the structural pass.</summary>
    public static IReadOnlyList<string> SkippedChecks(JourneyDefinition journey, ITemplateCatalog? templates)
    {
        ArgumentNullException.ThrowIfNull(journey);
        return templates is null && journey.Steps.Any(s => s is EmailStep) ? [TemplatesNote] : [];
    }

    /// <summary>Validates a definition already in memory (semantic checks only: the model cannot hold unknown properties).</summary>
    public static IReadOnlyList<ValidationError> Validate(JourneyDefinition journey, ITemplateCatalog? templates = null)
    {
        ArgumentNullException.ThrowIfNull(journey);
        var errors = new List<ValidationError>();
        new SemanticValidator(journey, templates, errors).Run();
        WebhookSafety.Check(journey, errors);
        return errors;
    }
}
