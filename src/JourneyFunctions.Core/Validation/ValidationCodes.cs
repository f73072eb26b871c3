namespace JourneyFunctions.Core.Validation;

/// <summary>
/// The machine-readable codes of <see cref="ValidationError.Code"/>. They are a contract for tools, the editor and
/// tests: add new ones, never rename one.
/// </summary>
public static class ValidationCodes
{
    /// <summary>The text is not JSON (the error has a line and column).</summary>
    public const string MalformedJson = "malformed-json";

    /// <summary>A property the model does not know (usually a typo).</summary>
    public const string UnknownProperty = "unknown-property";

    /// <summary>The same property twice in one object.</summary>
    public const string DuplicateProperty = "duplicate-property";

    /// <summary>A required property is absent.</summary>
    public const string MissingProperty = "missing-property";

    /// <summary>A value of the wrong JSON type (text where a list is expected, ...).</summary>
    public const string WrongType = "wrong-type";

    /// <summary>A step <c>type</c> that is not one of the step kinds.</summary>
    public const string UnknownStepKind = "unknown-step-kind";

    /// <summary>A value outside a fixed set (a stage, a weekday, a re-entry mode) or otherwise unusable.</summary>
    public const string InvalidValue = "invalid-value";

    /// <summary>An empty text where a name is needed (an event, a tag, a template).</summary>
    public const string EmptyValue = "empty-value";

    /// <summary>A journey or step id that is not lowercase letters, digits and dashes.</summary>
    public const string InvalidId = "invalid-id";

    /// <summary>Two steps with the same id.</summary>
    public const string DuplicateStepId = "duplicate-step-id";

    /// <summary>A reference to a step id that does not exist.</summary>
    public const string DanglingStep = "dangling-step";

    /// <summary>A step no path from the first step leads to.</summary>
    public const string UnreachableStep = "unreachable-step";

    /// <summary>A cycle of steps with no wait or waitForEvent step in it.</summary>
    public const string LoopWithoutWait = "loop-without-wait";

    /// <summary>A journey without steps.</summary>
    public const string NoSteps = "no-steps";

    /// <summary>
    /// A warning, not an error: a webhook header references <c>{{secret:NAME}}</c> and the configuration has no
    /// <c>Webhooks:Secrets:NAME</c>, so the step would fail when it runs unless the secret is set first.
    /// </summary>
    public const string UnconfiguredSecret = "unconfigured-secret";

    /// <summary>Split percentages that do not add up to 100.</summary>
    public const string SplitTotal = "split-total";

    /// <summary>A split percentage outside 0..100.</summary>
    public const string SplitPercent = "split-percent";

    /// <summary>A split with fewer than two paths.</summary>
    public const string SplitPaths = "split-paths";

    /// <summary>Text that is not an ISO 8601 duration.</summary>
    public const string InvalidDuration = "invalid-duration";

    /// <summary>A negative (or zero) duration where only a positive one makes sense.</summary>
    public const string NegativeDuration = "negative-duration";

    /// <summary>A time zone that is not a known IANA zone.</summary>
    public const string UnknownTimeZone = "unknown-time-zone";

    /// <summary>A time of day that is not HH:mm.</summary>
    public const string InvalidTime = "invalid-time";

    /// <summary>A send window that is never open (from equals to, or no days).</summary>
    public const string EmptySendWindow = "empty-send-window";

    /// <summary>A trigger with none, or more than one, of event / tagAdded / inactiveFor.</summary>
    public const string TriggerForm = "trigger-form";

    /// <summary>A keyed trigger whose key is empty.</summary>
    public const string MissingTriggerKey = "missing-trigger-key";

    /// <summary>A key on a trigger that is not an event trigger.</summary>
    public const string KeyNotAllowed = "key-not-allowed";

    /// <summary>A re-entry cool-down on a journey that never lets a contact re-enter.</summary>
    public const string CooldownWithoutReentry = "cooldown-without-reentry";

    /// <summary>A condition with no form, or several forms, in one object.</summary>
    public const string ConditionForm = "condition-form";

    /// <summary>A field condition with no operator or several, or an operator without a field.</summary>
    public const string ConditionOperator = "condition-operator";

    /// <summary>A before/after value that is neither an ISO date/time nor a duration.</summary>
    public const string InvalidDate = "invalid-date";

    /// <summary>A field path whose root is not contact, trigger, event, events or run, or that names no field.</summary>
    public const string InvalidFieldPath = "invalid-field-path";

    /// <summary><c>run.key</c> where a run has no key: in the trigger filter (no run yet) or in a journey whose trigger has no key.</summary>
    public const string NoRunKey = "no-run-key";

    /// <summary><c>events.&lt;stepId&gt;</c> naming a step that does not receive events (not waitForEvent or webhook).</summary>
    public const string NotAnEventStep = "not-an-event-step";

    /// <summary>emailOpened / emailClicked naming a step that is not an email step.</summary>
    public const string NotAnEmailStep = "not-an-email-step";

    /// <summary>A wait step with none, or an impossible mix, of duration / until / relativeTo.</summary>
    public const string WaitForm = "wait-form";

    /// <summary>A webhook URL that is not absolute https (http only for localhost).</summary>
    public const string InvalidUrl = "invalid-url";

    /// <summary>A webhook HTTP method that is not GET, POST, PUT, PATCH or DELETE.</summary>
    public const string InvalidMethod = "invalid-method";

    /// <summary>A tags step that neither adds nor removes a tag.</summary>
    public const string EmptyTags = "empty-tags";

    /// <summary>setField marketingConsent with a value that is not true or false.</summary>
    public const string InvalidConsentValue = "invalid-consent-value";

    /// <summary>An email template that does not exist.</summary>
    public const string UnknownTemplate = "unknown-template";

    /// <summary>A problem the template catalog found in a template for this journey.</summary>
    public const string TemplateProblem = "template-problem";
}
