using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model.Polly;

/// <summary>
/// Builds the <see cref="RetryConstruct"/> of a Polly v7 policy (<c>Policy.Handle...WaitAndRetry...</c>), a Polly
/// v8 <c>RetryStrategyOptions</c> object, a Microsoft.Extensions.Http.Resilience <c>HttpRetryStrategyOptions</c>
/// object, or a standard resilience handler's retry configuration. One instance per analysed operation.
/// </summary>
internal sealed partial class PollyRecognizer
{
    /// <summary>The v7 retry builders; listed with the other syntax triggers.</summary>
    private static readonly HashSet<string> V7RetryMethods = SyntaxTriggers.PollyV7RetryMethods;

    private readonly KnownSymbols _symbols;
    private readonly KnownPollySymbols _polly;
    private readonly DelayTracer _tracer;
    private readonly PollyFlow _flow;
    private readonly Func<OptionsWriteIndex> _index;
    private readonly Func<SyntaxTree, SemanticModel?> _semanticModels;

    public PollyRecognizer(
        KnownSymbols symbols,
        KnownPollySymbols polly,
        Func<SyntaxTree, SemanticModel?> semanticModels,
        Func<OptionsWriteIndex> index,
        IReadOnlyList<string>? jitterMethods = null)
    {
        _symbols = symbols;
        _polly = polly;
        _tracer = new DelayTracer(symbols, semanticModels, jitterMethods);
        _flow = new PollyFlow(semanticModels);
        _index = index;
        _semanticModels = semanticModels;
    }

    /// <summary>A cheap name test before any symbol work: could this invocation be a v7 retry?</summary>
    public static bool MayBeV7Retry(IInvocationOperation invocation) => V7RetryMethods.Contains(invocation.TargetMethod.Name);

    /// <summary>One predicate of a construct: the statuses it admits (null when unknown) and where it is written.</summary>
    private sealed class Predicate
    {
        public Predicate(StatusSet? statuses, Location location, IOperation? node)
        {
            Statuses = statuses;
            Location = location;
            Node = node;
        }

        public StatusSet? Statuses { get; }

        public Location Location { get; }

        public IOperation? Node { get; }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Polly v7
    // ------------------------------------------------------------------------------------------------------------

    public RetryConstruct? RecognizeV7(IInvocationOperation retry)
    {
        var method = retry.TargetMethod;
        if (!method.IsExtensionMethod || method.Parameters.Length == 0 || !V7RetryMethods.Contains(method.Name) ||
            retry.Syntax.ContainsDiagnostics)
        {
            return null;
        }

        var builderType = method.Parameters[0].Type as INamedTypeSymbol;
        bool generic = KnownSymbols.Is(builderType, _polly.PolicyBuilderOfT);
        if (!generic && !KnownSymbols.Is(builderType, _polly.PolicyBuilder))
        {
            return null;
        }

        var resultType = generic && builderType!.TypeArguments.Length == 1 ? builderType.TypeArguments[0] : null;
        var conditions = new PollyConditions(_symbols, _polly, IsResponse(resultType));
        var tree = retry.Syntax.SyntaxTree;

        IOperation? receiver = null, retryCount = null, provider = null, durations = null, onRetry = null;
        foreach (var argument in retry.Arguments)
        {
            switch (argument.Parameter?.Ordinal == 0 ? "this" : argument.Parameter?.Name)
            {
                case "this":
                    receiver = argument.Value;
                    break;
                case "retryCount":
                    retryCount = argument.IsImplicit ? null : argument.Value;
                    break;
                case "sleepDurationProvider":
                    provider = argument.Value;
                    break;
                case "sleepDurations":
                    durations = argument.Value;
                    break;
                case "onRetry":
                case "onRetryAsync":
                    onRetry = argument.IsImplicit ? null : argument.Value;
                    break;
            }
        }

        if (receiver is null || retryCount?.ConstantValue is { HasValue: true, Value: <= 0 })
        {
            // Retry(0): no retry at all.
            return null;
        }

        var predicates = new List<Predicate>();
        CollectV7Predicates(receiver, conditions, predicates, tree, Fallback(receiver, retry));

        // Bound.
        var bound = RetryBound.Unknown;
        var name = NameLocation(retry);
        if (method.Name.IndexOf("Forever", StringComparison.Ordinal) >= 0)
        {
            bound = new RetryBound(BoundKind.Unbounded, name, method.Name);
        }
        else if (retryCount is not null)
        {
            bound = retryCount.ConstantValue is { HasValue: true, Value: int.MaxValue }
                ? new RetryBound(BoundKind.Unbounded, retryCount.Syntax.GetLocation(), method.Name + "(int.MaxValue)")
                : new RetryBound(BoundKind.AttemptCap, null);
        }
        else if (method.Name is "Retry" or "RetryAsync")
        {
            // Retry() with no count retries once.
            bound = new RetryBound(BoundKind.AttemptCap, null);
        }

        // Delays.
        var delays = new List<PendingDelay>();
        if (provider is not null)
        {
            if (!AlwaysZero(provider))
            {
                var delay = ProviderDelay(provider, tree);
                delays.Add(delay);
                if (delay.Sources.Has(DelaySource.RetryAfter) && _flow.DelegateTarget(provider) is { } target)
                {
                    delays.AddRange(FallbackDelays(target, unwrapValueTask: false, tree));
                }
            }
        }
        else if (durations is not null)
        {
            var (pending, finite) = DurationsDelay(durations, tree);
            delays.Add(pending);
            if (finite && bound.Kind == BoundKind.Unknown)
            {
                bound = new RetryBound(BoundKind.AttemptCap, null);
            }
        }
        else
        {
            // Retry / RetryForever: the next attempt follows at once.
            delays.Add(NoWait(name, method.Name));
        }

        if (bound.Kind == BoundKind.Unbounded && InsideV7Timeout(retry))
        {
            bound = new RetryBound(BoundKind.Deadline, null);
        }

        bool changesRequest = onRetry is not null && CallbackChangesRequest(onRetry);
        return Build(RetryKind.PollyV7, retry, delays, predicates, bound, changesRequest);
    }

    /// <summary>
    /// <c>Policy.WrapAsync(timeout, retry)</c> or <c>timeout.WrapAsync(retry)</c>, directly or through a local:
    /// an outer Polly timeout ends even a retry-forever policy.
    /// </summary>
    private bool InsideV7Timeout(IInvocationOperation retry)
    {
        IOperation current = retry;
        while (current.Parent is IConversionOperation or IParenthesizedOperation)
        {
            current = current.Parent;
        }

        if (current.Parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator })
        {
            var block = declarator.Parent?.Parent?.Parent ?? PollyFlow.RootOf(retry);
            foreach (var operation in OperationWalk.Descendants(block, intoFunctions: true))
            {
                if (operation is ILocalReferenceOperation reference &&
                    SymbolEqualityComparer.Default.Equals(reference.Local, declarator.Symbol) &&
                    IsWrappedInTimeout(reference))
                {
                    return true;
                }
            }

            return false;
        }

        return IsWrappedInTimeout(current);
    }

    private bool IsWrappedInTimeout(IOperation policy)
    {
        var current = policy;
        while (current.Parent is IConversionOperation or IParenthesizedOperation)
        {
            current = current.Parent;
        }

        // Policy.WrapAsync(timeout, retry): a params array; the policies before this one are outside it.
        if (current.Parent is IArrayInitializerOperation { Parent: IArrayCreationOperation { Parent: IArgumentOperation { Parent: IInvocationOperation wrap } } } elements &&
            wrap.TargetMethod.Name is "Wrap" or "WrapAsync")
        {
            foreach (var element in elements.ElementValues)
            {
                if (ReferenceEquals(element, current))
                {
                    return false;
                }

                if (IsTimeoutPolicy(element))
                {
                    return true;
                }
            }

            return false;
        }

        // timeout.WrapAsync(retry) / Policy.WrapAsync(timeout, retry) with two parameters.
        if (current.Parent is IArgumentOperation { Parent: IInvocationOperation call } argument &&
            call.TargetMethod.Name is "Wrap" or "WrapAsync")
        {
            if (call.Instance is { } outer && IsTimeoutPolicy(outer))
            {
                return true;
            }

            foreach (var other in call.Arguments)
            {
                if (ReferenceEquals(other, argument))
                {
                    return false;
                }

                if (IsTimeoutPolicy(other.Value))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool IsTimeoutPolicy(IOperation operation) =>
        _flow.Resolve(operation) is IInvocationOperation { TargetMethod.Name: "Timeout" or "TimeoutAsync" } timeout &&
        IsPollyType(timeout.TargetMethod.ContainingType);

    private static Location Fallback(IOperation receiver, IInvocationOperation retry) =>
        receiver.IsImplicit ? NameLocation(retry) : receiver.Syntax.GetLocation();

    /// <summary>Walks a v7 builder chain back to <c>Policy.Handle</c>/<c>HandleResult</c>/<c>HandleTransientHttpError</c>.</summary>
    private void CollectV7Predicates(IOperation builder, PollyConditions conditions, List<Predicate> predicates, SyntaxTree tree, Location fallback)
    {
        var current = builder;
        for (int step = 0; step < 64; step++)
        {
            var resolved = _flow.Resolve(current);
            if (resolved is not IInvocationOperation invocation)
            {
                predicates.Add(new Predicate(null, fallback, resolved));
                return;
            }

            var method = invocation.TargetMethod;
            var type = method.ContainingType;
            bool isStart = KnownSymbols.Is(type, _polly.Policy) || KnownSymbols.Is(type, _polly.PolicyOfT);
            bool isLink = KnownSymbols.Is(type, _polly.PolicyBuilder) || KnownSymbols.Is(type, _polly.PolicyBuilderOfT);
            bool isHttp = KnownSymbols.Is(type, _polly.HttpPolicyExtensions);

            if (isHttp)
            {
                switch (method.Name)
                {
                    case "HandleTransientHttpError":
                    case "OrTransientHttpError":
                    case "OrTransientHttpStatusCode":
                        // 5xx and 408 (not 429); the HttpRequestException part carries no status here.
                        predicates.Add(new Predicate(PollyConditions.TransientNo429, At(invocation, tree, fallback), invocation));
                        break;
                    default:
                        predicates.Add(new Predicate(null, fallback, invocation));
                        return;
                }

                if (method.Name == "HandleTransientHttpError")
                {
                    return;
                }

                current = FirstArgument(invocation);
                if (current is null)
                {
                    return;
                }

                continue;
            }

            if (!isStart && !isLink)
            {
                predicates.Add(new Predicate(null, fallback, invocation));
                return;
            }

            switch (method.Name)
            {
                case "Handle":
                case "Or":
                case "HandleInner":
                case "OrInner":
                {
                    var exception = method.TypeArguments.Length == 1 ? method.TypeArguments[0] : null;
                    var filter = invocation.Arguments.Length == 1 ? _flow.DelegateTarget(invocation.Arguments[0].Value) : null;
                    var statuses = conditions.ForException(exception, filter is null ? null : FilterBody(filter));
                    var location = filter is not null && filter.Syntax.SyntaxTree == tree ? filter.Syntax.GetLocation() : At(invocation, tree, fallback);
                    predicates.Add(new Predicate(statuses, location, invocation));
                    break;
                }

                case "HandleResult":
                case "OrResult":
                {
                    var target = invocation.Arguments.Length == 1 ? _flow.DelegateTarget(invocation.Arguments[0].Value) : null;
                    StatusSet? statuses = null;
                    var location = At(invocation, tree, fallback);
                    if (target is not null)
                    {
                        statuses = conditions.WhenTrue(FilterBody(target));
                        if (target.Syntax.SyntaxTree == tree)
                        {
                            location = target.Syntax.GetLocation();
                        }
                    }

                    predicates.Add(new Predicate(statuses, location, invocation));
                    break;
                }

                default:
                    predicates.Add(new Predicate(null, fallback, invocation));
                    return;
            }

            if (isStart)
            {
                return;
            }

            if (invocation.Instance is null)
            {
                current = FirstArgument(invocation);
                if (current is null)
                {
                    return;
                }
            }
            else
            {
                current = invocation.Instance;
            }
        }
    }

    /// <summary>The body of a predicate lambda or method, for <see cref="PollyConditions.WhenTrue"/>.</summary>
    private IOperation? FilterBody(IOperation target) => _flow.BodyOfDelegate(target);

    private static IOperation? FirstArgument(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Ordinal == 0)
            {
                return argument.Value;
            }
        }

        return null;
    }

    /// <summary>The location of <paramref name="operation"/> when it is written in <paramref name="tree"/>, else the fallback.</summary>
    private static Location At(IOperation operation, SyntaxTree tree, Location fallback) =>
        operation.Syntax.SyntaxTree == tree ? operation.Syntax.GetLocation() : fallback;

    /// <summary><c>WaitAndRetryForeverAsync</c> in <c>builder.WaitAndRetryForeverAsync(...)</c>.</summary>
    private static Location NameLocation(IInvocationOperation invocation) => invocation.Syntax switch
    {
        InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } => member.Name.GetLocation(),
        InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax binding } => binding.Name.GetLocation(),
        InvocationExpressionSyntax call => call.Expression.GetLocation(),
        _ => invocation.Syntax.GetLocation(),
    };

    private bool IsResponse(ITypeSymbol? type) => KnownSymbols.IsOrDerives(type, _symbols.HttpResponseMessage);

    // ------------------------------------------------------------------------------------------------------------
    // Delays
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>A delay before the construct's statuses are known: they are filled in by <see cref="Build"/>.</summary>
    private sealed class PendingDelay
    {
        public PendingDelay(Location location, string display, DelaySource sources, IOperation? node)
        {
            Location = location;
            Display = display;
            Sources = sources;
            Node = node;
        }

        public Location Location { get; }

        public string Display { get; }

        public DelaySource Sources { get; }

        public IOperation? Node { get; }

        /// <summary>Statuses this delay is not used for (a 429 answered from Retry-After by another delay).</summary>
        public StatusSet Excluded { get; set; }

        /// <summary>The statuses it serves cannot be told.</summary>
        public bool StatusesUnknown { get; set; }

        /// <summary>The largest delay a visible constant cap allows.</summary>
        public TimeSpan? Cap { get; set; }

        /// <summary>Not a wait of the construct when it serves no status (and nothing else).</summary>
        public bool DropWhenUnused { get; set; }

        /// <summary>See <see cref="RetryDelay.LibraryRetryAfterUnbounded"/>.</summary>
        public bool LibraryRetryAfterUnbounded { get; set; }
    }

    /// <summary>
    /// No wait at all before the next attempt (<c>Retry</c>, <c>RetryForever</c>): nothing to jitter (no RG0001), but
    /// a 429 retried at once ignores Retry-After as much as a fixed wait does.
    /// </summary>
    private static PendingDelay NoWait(Location location, string method) =>
        new(location, "no wait (" + method + ")", DelaySource.None, null);

    /// <summary>A v7 sleep-duration provider: a lambda, a method group or a delegate held in a local.</summary>
    private PendingDelay ProviderDelay(IOperation provider, SyntaxTree tree)
    {
        var target = _flow.DelegateTarget(provider);
        var location = target is not null && target.Syntax.SyntaxTree == tree ? target.Syntax : provider.Syntax;
        TimeSpan? cap = null;
        var sources = target is null ? DelaySource.Unknown : TraceDelegate(target, unwrapValueTask: false, out _, out cap);
        return new PendingDelay(location.GetLocation(), Display.Shorten(location.ToString()), sources, provider) { Cap = cap };
    }

    /// <summary>
    /// The fixed fallbacks of a delegate that reads Retry-After: in <c>ra is { } d ? Min(d, 60 s) : 2 s</c>,
    /// <c>ra ?? 2 s</c> or a block that returns the header's wait in one place and a constant in another, the constant
    /// is the wait whenever the server sends no header — the same for every client, so RG0001 judges it on its own.
    /// Only the branches of conditionals and <c>??</c> at the top of a returned value are split; a zero wait or null is
    /// no fallback. The fallback does not serve a 429 that carries the header, so RG0003 does not judge it.
    /// </summary>
    private List<PendingDelay> FallbackDelays(IOperation target, bool unwrapValueTask, SyntaxTree tree)
    {
        var fallbacks = new List<PendingDelay>();
        var returned = _flow.ReturnedValuesOfDelegate(target);
        if (returned is null)
        {
            return fallbacks;
        }

        var pending = new Stack<IOperation>();
        foreach (var value in returned)
        {
            if ((unwrapValueTask ? UnwrapValueTask(value) : value) is { } inner)
            {
                pending.Push(inner);
            }
        }

        while (pending.Count > 0)
        {
            var leaf = PollyFlow.Unwrap(pending.Pop());
            switch (leaf)
            {
                case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
                    pending.Push(conditional.WhenTrue);
                    pending.Push(whenFalse);
                    continue;
                case ICoalesceOperation coalesce:
                    pending.Push(coalesce.Value);
                    pending.Push(coalesce.WhenNull);
                    continue;
            }

            if (IsNullConstant(leaf) || leaf.Syntax.SyntaxTree != tree ||
                TimeSpanConstants.Evaluate(leaf, _symbols, _semanticModels) is { } constant && constant <= TimeSpan.Zero)
            {
                continue;
            }

            var sources = _tracer.Trace(leaf);
            if (sources.IsDeterministic())
            {
                fallbacks.Add(new PendingDelay(leaf.Syntax.GetLocation(), Display.Shorten(leaf.Syntax.ToString()), sources, leaf)
                {
                    Excluded = StatusSet.Of(429),
                });
            }
        }

        return fallbacks;
    }

    /// <summary><c>_ =&gt; TimeSpan.Zero</c>: immediate retries, no wait to jitter.</summary>
    private bool AlwaysZero(IOperation provider)
    {
        var target = _flow.DelegateTarget(provider);
        var returned = target is null ? null : _flow.ReturnedValuesOfDelegate(target);
        if (returned is null || returned.Count == 0)
        {
            return false;
        }

        foreach (var value in returned)
        {
            if (TimeSpanConstants.Evaluate(value, _symbols, _semanticModels) != TimeSpan.Zero)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A v7 <c>IEnumerable&lt;TimeSpan&gt;</c> of sleep durations: Polly.Contrib.WaitAndRetry's <c>Backoff.*</c>
    /// (jitter only from the <c>*Jitter*</c> helpers, and not with a fixed seed), an array, a helper's result.
    /// </summary>
    private (PendingDelay Delay, bool Finite) DurationsDelay(IOperation durations, SyntaxTree tree)
    {
        var origin = _flow.Resolve(durations);
        var syntax = origin.Syntax.SyntaxTree == tree ? origin.Syntax : durations.Syntax;
        DelaySource sources;
        bool finite;
        if (origin is IInvocationOperation call && KnownSymbols.Is(call.TargetMethod.ContainingType, _polly.ContribBackoff))
        {
            finite = true;
            sources = ContribSources(call);
        }
        else
        {
            finite = origin is IArrayCreationOperation;
            sources = _tracer.Trace(origin);
        }

        return (new PendingDelay(syntax.GetLocation(), Display.Shorten(syntax.ToString()), sources, origin), finite);
    }

    private static DelaySource ContribSources(IInvocationOperation call)
    {
        string name = call.TargetMethod.Name;
        if (name.IndexOf("Jitter", StringComparison.Ordinal) < 0)
        {
            return name.IndexOf("Exponential", StringComparison.Ordinal) >= 0
                ? DelaySource.Computed | DelaySource.Exponential
                : DelaySource.Computed;
        }

        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter?.Name == "seed" && !argument.IsImplicit &&
                PollyFlow.Unwrap(argument.Value).ConstantValue is { HasValue: true, Value: int })
            {
                // A fixed seed gives every client the same "random" sequence.
                return DelaySource.Computed | DelaySource.Exponential;
            }
        }

        return DelaySource.Random | DelaySource.Computed;
    }

    /// <summary>
    /// Traces what a delay lambda or method returns. With <paramref name="unwrapValueTask"/>, v8 delay generators:
    /// <c>new ValueTask&lt;TimeSpan?&gt;(x)</c>, <c>ValueTask.FromResult(x)</c>, and whether it may return null
    /// (then the strategy's own backoff is used).
    /// </summary>
    private DelaySource TraceDelegate(IOperation target, bool unwrapValueTask, out bool mayReturnNull, out TimeSpan? cap)
    {
        mayReturnNull = false;
        cap = null;
        var returned = _flow.ReturnedValuesOfDelegate(target);
        if (returned is null || returned.Count == 0)
        {
            return DelaySource.Unknown;
        }

        var sources = DelaySource.None;
        foreach (var value in returned)
        {
            var inner = unwrapValueTask ? UnwrapValueTask(value) : value;
            if (inner is null)
            {
                mayReturnNull = true;
                continue;
            }

            if (IsNullConstant(inner))
            {
                mayReturnNull = true;
                continue;
            }

            if (unwrapValueTask && MayBeNull(inner))
            {
                mayReturnNull = true;
            }

            sources |= _tracer.Trace(inner);
            var valueCap = _tracer.Cap;
            if (GuardCap(inner) is { } guard && (valueCap is null || guard < valueCap))
            {
                valueCap = guard;
            }

            if (valueCap is { } found && (cap is null || found > cap))
            {
                // Several returns: the loosest cap is the one that holds.
                cap = found;
            }
        }

        var body = _flow.BodyOfDelegate(target);
        if (body is not null)
        {
            ScanBody(body, ref sources);
            if (sources.Has(DelaySource.Unknown) && IsAttemptArithmetic(body))
            {
                sources = (sources & ~DelaySource.Unknown) | DelaySource.Computed;
            }
        }

        return sources == DelaySource.None ? DelaySource.Unknown : sources;
    }

    /// <summary>
    /// <c>x is TimeSpan d &amp;&amp; d &lt;= K ? d : null</c> (what RG0007's fix writes): only waits up to K are returned,
    /// whatever caps <c>x</c> itself. The comparison must hold whenever the wait is returned (a conjunct of the condition).
    /// </summary>
    private TimeSpan? GuardCap(IOperation value)
    {
        if (PollyFlow.Unwrap(value) is not IConditionalOperation { WhenFalse: { } whenFalse } conditional || !IsNullConstant(whenFalse) ||
            PollyFlow.Unwrap(conditional.WhenTrue) is not ILocalReferenceOperation returned)
        {
            return null;
        }

        TimeSpan? cap = null;
        var pending = new Stack<IOperation>();
        pending.Push(conditional.Condition);
        while (pending.Count > 0)
        {
            if (PollyFlow.Unwrap(pending.Pop()) is not IBinaryOperation binary)
            {
                continue;
            }

            IOperation? bound = null;
            switch (binary.OperatorKind)
            {
                case BinaryOperatorKind.ConditionalAnd:
                    pending.Push(binary.LeftOperand);
                    pending.Push(binary.RightOperand);
                    continue;
                case BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual when IsLocal(binary.LeftOperand, returned.Local):
                    bound = binary.RightOperand;
                    break;
                case BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual when IsLocal(binary.RightOperand, returned.Local):
                    bound = binary.LeftOperand;
                    break;
            }

            if (bound is not null && TimeSpanConstants.Evaluate(bound, _symbols, _semanticModels) is { } limit && (cap is null || limit < cap))
            {
                cap = limit;
            }
        }

        return cap;
    }

    private static bool IsLocal(IOperation operation, ILocalSymbol local) =>
        PollyFlow.Unwrap(operation) is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local);

    /// <summary>
    /// Reads of Retry-After anywhere in the body make the delay server-directed (the tracer cannot follow
    /// <c>?.</c> chains); a <c>Math.Min</c>/<c>Clamp</c> or a comparison of durations caps it.
    /// </summary>
    private void ScanBody(IOperation body, ref DelaySource sources)
    {
        bool readsRetryAfter = false, caps = false;
        foreach (var operation in OperationWalk.Descendants(body, intoFunctions: false))
        {
            switch (operation)
            {
                case IPropertyReferenceOperation property
                    when RetryAfterReads.IsRetryAfterProperty(property.Property, _symbols) || RetryAfterReads.IsRetryAfterIndexer(property):
                    readsRetryAfter = true;
                    break;
                case IInvocationOperation invocation when RetryAfterReads.IsRetryAfterRead(invocation, _symbols):
                    readsRetryAfter = true;
                    break;
                case IInvocationOperation { TargetMethod.Name: "Min" or "Clamp" } invocation when KnownSymbols.Is(invocation.TargetMethod.ContainingType, _symbols.Math):
                    caps = true;
                    break;
                case IBinaryOperation binary when IsRelational(binary.OperatorKind) &&
                                                 (IsDuration(binary.LeftOperand) || IsDuration(binary.RightOperand)):
                    caps = true;
                    break;
            }
        }

        if (readsRetryAfter)
        {
            sources |= DelaySource.RetryAfter;
            if (caps)
            {
                sources |= DelaySource.Capped;
            }
        }
    }

    /// <summary>
    /// A v8 delay generator computed from <c>args.AttemptNumber</c> alone (the tracer does not know that property):
    /// every value in the body is the attempt number, a constant, a local, or arithmetic and TimeSpan/Math over
    /// them. Only then is the delay deterministic rather than unknown.
    /// </summary>
    private bool IsAttemptArithmetic(IOperation body)
    {
        bool readsAttempt = false;
        foreach (var operation in OperationWalk.Descendants(body, intoFunctions: false))
        {
            switch (operation)
            {
                case IPropertyReferenceOperation { Property.Name: "AttemptNumber" } attempt when IsPollyType(attempt.Property.ContainingType):
                    readsAttempt = true;
                    break;
                case IPropertyReferenceOperation { Instance: null } property when property.ConstantValue.HasValue:
                    break;
                case IPropertyReferenceOperation property when IsValueType(property.Property.ContainingType):
                    break;
                case IPropertyReferenceOperation:
                    return false;
                case IFieldReferenceOperation field when field.Field.IsConst || IsValueType(field.Field.ContainingType):
                    break;
                case IFieldReferenceOperation:
                    return false;
                case IInvocationOperation invocation when IsValueType(invocation.TargetMethod.ContainingType) ||
                                                          KnownSymbols.Is(invocation.TargetMethod.ContainingType, _symbols.Math) ||
                                                          invocation.TargetMethod.Name == "FromResult":
                    break;
                case IInvocationOperation:
                    return false;
                case IObjectCreationOperation creation when IsValueType(creation.Type as INamedTypeSymbol) || IsValueTask(creation.Type):
                    break;
                case IObjectCreationOperation:
                    return false;
            }
        }

        return readsAttempt;
    }

    private static bool IsPollyType(INamedTypeSymbol? type)
    {
        string ns = type?.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return ns == "Polly" || ns.StartsWith("Polly.", StringComparison.Ordinal);
    }

    /// <summary>TimeSpan, Nullable and the numeric types: arithmetic, no hidden state.</summary>
    private bool IsValueType(INamedTypeSymbol? type) =>
        type is not null &&
        (KnownSymbols.Is(type, _symbols.TimeSpan) ||
         type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T ||
         type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Double or
             SpecialType.System_Single or SpecialType.System_Decimal);

    private static bool IsRelational(BinaryOperatorKind kind) => kind is
        BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual or
        BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual;

    private bool IsDuration(IOperation operation)
    {
        var type = PollyFlow.Unwrap(operation).Type;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return KnownSymbols.Is(type, _symbols.TimeSpan) || operation.Type?.SpecialType is SpecialType.System_Double or SpecialType.System_Int32;
    }

    /// <summary>The TimeSpan? inside a returned ValueTask, or null when it is null/default.</summary>
    private IOperation? UnwrapValueTask(IOperation value)
    {
        value = PollyFlow.Unwrap(value);
        switch (value)
        {
            case IObjectCreationOperation creation when IsValueTask(creation.Type):
                return creation.Arguments.Length == 1 ? creation.Arguments[0].Value : null;
            case IDefaultValueOperation:
                return null;
            case IInvocationOperation { TargetMethod.Name: "FromResult", Arguments.Length: 1 } invocation:
                return invocation.Arguments[0].Value;
            default:
                // An async lambda returns the TimeSpan? itself.
                return value;
        }
    }

    private bool IsValueTask(ITypeSymbol? type) => KnownSymbols.Is(type, _polly.ValueTaskOfT) || KnownSymbols.Is(type, _polly.TaskOfT);

    private static bool IsNullConstant(IOperation operation)
    {
        operation = PollyFlow.Unwrap(operation);
        return operation is IDefaultValueOperation ||
               (operation.ConstantValue.HasValue && operation.ConstantValue.Value is null);
    }

    /// <summary>A <c>TimeSpan?</c> that was not converted from a plain <c>TimeSpan</c> may be null.</summary>
    private static bool MayBeNull(IOperation operation)
    {
        if (operation is IConversionOperation { Operand.Type: { } operandType } &&
            operandType.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T)
        {
            return false;
        }

        return operation.Type?.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;
    }

    /// <summary>
    /// An onRetry callback that does more than log (refreshes a token, changes a header, switches an endpoint):
    /// the next attempt is not the same request.
    /// </summary>
    private bool CallbackChangesRequest(IOperation callback)
    {
        var target = _flow.DelegateTarget(callback);
        var body = target is null ? null : _flow.BodyOfDelegate(target);
        if (body is null)
        {
            // A callback the analysis cannot see may do anything.
            return target is not null || callback.ConstantValue is not { HasValue: true, Value: null };
        }

        foreach (var operation in OperationWalk.Descendants(body, intoFunctions: true))
        {
            switch (operation)
            {
                case IAssignmentOperation { Target: not ILocalReferenceOperation }:
                    return true;
                case IInvocationOperation invocation when !IsBookkeeping(invocation.TargetMethod):
                    return true;
            }
        }

        return false;
    }

    /// <summary>Logging, console output, counters and completed tasks: what an onRetry that only observes calls.</summary>
    private static bool IsBookkeeping(IMethodSymbol method)
    {
        var type = method.ContainingType;
        string ns = type?.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        if (ns.StartsWith("Microsoft.Extensions.Logging", StringComparison.Ordinal) ||
            ns == "System.Diagnostics" || ns == "System.Threading.Tasks" || ns == "System.Threading" ||
            ns.StartsWith("System.Diagnostics.Metrics", StringComparison.Ordinal))
        {
            return true;
        }

        if (type?.SpecialType == SpecialType.System_String || type?.SpecialType == SpecialType.System_Object)
        {
            return true;
        }

        string name = type?.Name ?? string.Empty;
        return name is "Console" or "Debug" or "Trace" or "TimeSpan" or "Math" or "Interlocked" ||
               method.Name.IndexOf("Log", StringComparison.Ordinal) >= 0 || method.Name == "ToString";
    }

    // ------------------------------------------------------------------------------------------------------------
    // The model
    // ------------------------------------------------------------------------------------------------------------

    private static RetryConstruct Build(
        RetryKind kind,
        IOperation root,
        List<PendingDelay> pending,
        List<Predicate> predicates,
        RetryBound bound,
        bool changesRequestFirst)
    {
        StatusSet? exact = StatusSet.Empty;
        var known = StatusSet.Empty;
        var admissions = ImmutableArray.CreateBuilder<StatusAdmission>();
        foreach (var predicate in predicates)
        {
            if (predicate.Statuses is not { } statuses)
            {
                exact = null;
                continue;
            }

            exact = exact?.Union(statuses);
            known = known.Union(statuses);
            if (!statuses.IsEmpty)
            {
                admissions.Add(new StatusAdmission(predicate.Location, statuses, changesRequestFirst, predicate.Node));
            }
        }

        // What a delay is used for: the retry set when it is known; else what the known predicates admit (a
        // lower bound: a delay that follows a visible 429 predicate is certainly used for 429).
        StatusSet? forDelays = exact ?? (known.IsEmpty ? null : known);
        var delays = ImmutableArray.CreateBuilder<RetryDelay>(pending.Count);
        foreach (var delay in pending)
        {
            var statuses = delay.StatusesUnknown ? null : forDelays?.Intersect(delay.Excluded.Complement());
            if (delay.DropWhenUnused && exact is not null && statuses is { IsEmpty: true })
            {
                continue;
            }

            delays.Add(new RetryDelay(delay.Location, delay.Display, delay.Sources, delay.Node, statuses, FailureSignal.Predicate) { Cap = delay.Cap, LibraryRetryAfterUnbounded = delay.LibraryRetryAfterUnbounded });
        }

        return new RetryConstruct(kind, root, delays.ToImmutable(), admissions.ToImmutable(), exact, bound);
    }
}
