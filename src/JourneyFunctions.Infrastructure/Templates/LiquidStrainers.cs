using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using DotLiquid;

namespace JourneyFunctions.Infrastructure.Templates;

/// <summary>
/// Gives a DotLiquid <see cref="Context"/> its filters (DotLiquid's standard ones and <see cref="LiquidFilters"/>)
/// without DotLiquid's per-render reflection. Why: DotLiquid 2.3 builds a <see cref="Strainer"/> (the table of filter
/// methods) for every Context by reflecting over every filter class and comparing each method with every method
/// already added, converting each name with a regular expression on the way. That was more than half of the CPU
/// time of rendering an email (about a millisecond, three Contexts per email); with a ready table a Context costs
/// next to nothing.
/// </summary>
/// <remarks>
/// The table is built once, by DotLiquid itself (<see cref="Context.AddFilters(IEnumerable{Type})"/> on a throwaway
/// Context), so the filters found and their precedence are exactly DotLiquid's. Each render's Context then gets a
/// <see cref="Strainer"/> of its own (filters that take the Context receive the right one) whose method table is
/// that shared dictionary; a Strainer only reads its table once built (nothing here calls <c>Extend</c> or
/// <c>AddFunction</c> on these Contexts), and a <see cref="Dictionary{TKey, TValue}"/> is safe for concurrent
/// readers. The two private fields are reached with <see cref="UnsafeAccessorAttribute"/>: DotLiquid is pinned in
/// <c>Directory.Packages.props</c>, and if an update renamed them every render would fail with
/// <see cref="MissingFieldException"/> (the template tests catch that), never silently lose a filter.
/// </remarks>
internal static class LiquidStrainers
{
    private static readonly Dictionary<string, IList<Tuple<object, MethodInfo>>> Methods = Build();

    /// <summary>Sets the filters of a Context that has not used any yet.</summary>
    public static void Attach(Context context)
    {
        var strainer = new Strainer(context);
        MethodsOf(strainer) = Methods;
        StrainerOf(context) = strainer;
    }

    private static Dictionary<string, IList<Tuple<object, MethodInfo>>> Build()
    {
        var context = new Context(CultureInfo.InvariantCulture);
        context.AddFilters(typeof(LiquidFilters));
        return MethodsOf(context.Strainer);
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_strainer")]
    private static extern ref Strainer StrainerOf(Context context);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_methods")]
    private static extern ref Dictionary<string, IList<Tuple<object, MethodInfo>>> MethodsOf(Strainer strainer);
}
