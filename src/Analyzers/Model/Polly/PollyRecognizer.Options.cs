using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model.Polly;

/// <summary>Polly v8 <c>RetryStrategyOptions</c>, MEHR <c>HttpRetryStrategyOptions</c> and the standard handler.</summary>
internal sealed partial class PollyRecognizer
{
    /// <summary>Polly's default base delay (2 s) for both Polly.Core and Microsoft.Extensions.Http.Resilience.</summary>
    private const string DefaultDelayText = "2 s";

    private enum SettingKind
    {
        Default,
        Known,
        Unknown,
    }

    private readonly struct Setting
    {
        public Setting(SettingKind kind, IOperation? value = null, IOperation? write = null)
        {
            Kind = kind;
            Value = value;
            Write = write;
        }

        public SettingKind Kind { get; }

        /// <summary>The assigned value, for <see cref="SettingKind.Known"/>.</summary>
        public IOperation? Value { get; }

        /// <summary>The assignment, for <see cref="SettingKind.Known"/>.</summary>
        public IOperation? Write { get; }

        public object? Constant => Kind == SettingKind.Known && Value is { ConstantValue.HasValue: true } value ? value.ConstantValue.Value : null;
    }

    /// <summary>The properties one options object is given, and whether code elsewhere may give it others.</summary>
    private sealed class OptionsState
    {
        private readonly Dictionary<string, (IOperation Value, IOperation Write, bool Definite)> _settings = new();
        private readonly PollyRecognizer _owner;

        public OptionsState(PollyRecognizer owner, ITypeSymbol type)
        {
            _owner = owner;
            Type = type;
        }

        public ITypeSymbol Type { get; }

        public bool Escaped { get; set; }

        /// <summary>Handed to code without source (configuration binding, a serializer): any property may be set.</summary>
        public bool Opaque { get; set; }

        /// <summary>The call that adds these options to a pipeline, when seen.</summary>
        public IInvocationOperation? AddedBy { get; set; }

        public HashSet<SyntaxNode> Own { get; } = new();

        public bool IsEmpty => _settings.Count == 0;

        public void Set(IPropertySymbol property, IOperation value, IOperation write, bool definite)
        {
            Own.Add(write.Syntax);
            if (_settings.TryGetValue(property.Name, out var earlier) && !earlier.Definite)
            {
                definite = false;
            }

            _settings[property.Name] = (value, write, definite);
        }

        public Setting Get(string name)
        {
            if (_settings.TryGetValue(name, out var setting))
            {
                return setting.Definite ? new Setting(SettingKind.Known, setting.Value, setting.Write) : new Setting(SettingKind.Unknown);
            }

            return Opaque || (Escaped && (_owner._index().IsWrittenElsewhere(name, Type, Own) || _owner._index().HasOpaqueSink(Type)))
                ? new Setting(SettingKind.Unknown)
                : new Setting(SettingKind.Default);
        }
    }

    /// <summary><c>new RetryStrategyOptions&lt;T&gt; { ... }</c>, <c>new RetryStrategyOptions()</c>, <c>new HttpRetryStrategyOptions { ... }</c>.</summary>
    public RetryConstruct? RecognizeOptions(IObjectCreationOperation creation)
    {
        if (creation.Type is not INamedTypeSymbol type || type.TypeKind == TypeKind.Error || creation.Syntax.ContainsDiagnostics)
        {
            return null;
        }

        bool isHttp = KnownSymbols.Is(type, _polly.HttpRetryStrategyOptions);
        if (!isHttp && !KnownSymbols.Is(type, _polly.RetryStrategyOptionsOfT) && !KnownSymbols.Is(type, _polly.RetryStrategyOptions))
        {
            // A user subclass sets its properties in its own constructor: not followed.
            return null;
        }

        var state = StateOf(creation, type);
        var location = CreationLocation(creation);
        var construct = Evaluate(
            isHttp ? RetryKind.HttpResilience : RetryKind.PollyV8,
            creation,
            state,
            isHttp,
            _polly.RetryOptionsResult(type),
            location,
            standardHandler: false);
        return construct;
    }

    /// <summary>The properties an options object is given in its initializer and, through its local, afterwards.</summary>
    private OptionsState StateOf(IObjectCreationOperation creation, ITypeSymbol type)
    {
        var state = new OptionsState(this, type);
        if (creation.Initializer is { } initializer)
        {
            foreach (var member in initializer.Initializers)
            {
                if (member is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation target } assignment)
                {
                    state.Set(target.Property, assignment.Value, assignment, definite: true);
                }
            }
        }

        TrackOwner(creation, state);
        return state;
    }

    /// <summary>
    /// <c>AddStandardResilienceHandler(o =&gt; o.Retry.UseJitter = false)</c>, <c>.Configure(o =&gt; ...)</c>: a lambda over
    /// <c>HttpStandardResilienceOptions</c> that changes the retry part of the standard pipeline.
    /// </summary>
    public RetryConstruct? RecognizeStandardHandler(IInvocationOperation invocation)
    {
        if (_polly.HttpStandardResilienceOptions is null || _polly.HttpRetryStrategyOptions is null || invocation.Syntax.ContainsDiagnostics)
        {
            return null;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (PollyFlow.Unwrap(argument.Value) is not IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda } ||
                lambda.Symbol.Parameters.Length == 0 ||
                !KnownSymbols.Is(lambda.Symbol.Parameters[0].Type, _polly.HttpStandardResilienceOptions))
            {
                continue;
            }

            var state = new OptionsState(this, _polly.HttpRetryStrategyOptions) { Escaped = true };
            if (!CollectStandardWrites(lambda, lambda.Symbol.Parameters[0], state) || state.IsEmpty)
            {
                continue;
            }

            return Evaluate(
                RetryKind.HttpResilience,
                invocation,
                state,
                isHttp: true,
                _symbols.HttpResponseMessage,
                NameLocation(invocation),
                standardHandler: true);
        }

        return null;
    }

    /// <summary>False when the lambda replaces <c>o.Retry</c> with an options object of its own (that creation is the construct).</summary>
    private static bool CollectStandardWrites(IAnonymousFunctionOperation lambda, IParameterSymbol options, OptionsState state)
    {
        foreach (var operation in OperationWalk.Descendants(lambda.Body, intoFunctions: false))
        {
            if (operation is not IPropertyReferenceOperation { Property.Name: "Retry", Instance: IParameterReferenceOperation parameter } retry ||
                !SymbolEqualityComparer.Default.Equals(parameter.Parameter, options))
            {
                continue;
            }

            switch (retry.Parent)
            {
                case ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Target, retry):
                    return false;
                case IPropertyReferenceOperation property when ReferenceEquals(property.Instance, retry):
                    if (property.Parent is ISimpleAssignmentOperation write && ReferenceEquals(write.Target, property))
                    {
                        bool definite = write.Parent is IExpressionStatementOperation statement && ReferenceEquals(statement.Parent, lambda.Body);
                        state.Set(property.Property, write.Value, write, definite);
                    }

                    break;
                default:
                    // o.Retry handed to a helper: what the helper sets is not followed.
                    Escape(state, retry);
                    break;
            }
        }

        return true;
    }

    /// <summary>
    /// Follows the options object from its creation: a local whose later property writes belong to it, or a place
    /// it escapes to (returned, stored, handed to user code), after which other code may change it.
    /// </summary>
    private void TrackOwner(IObjectCreationOperation creation, OptionsState state)
    {
        IOperation current = creation;
        while (current.Parent is IConversionOperation or IParenthesizedOperation)
        {
            current = current.Parent;
        }

        ILocalSymbol? local = null;
        IOperation? declarationStatement = null;
        switch (current.Parent)
        {
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                local = declarator.Symbol;
                declarationStatement = declarator.Parent?.Parent;
                break;
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when ReferenceEquals(assignment.Value, current):
                local = target.Local;
                declarationStatement = assignment.Parent;
                break;
            case IArgumentOperation argument when IsFrameworkCall(argument.Parent):
                state.AddedBy = argument.Parent as IInvocationOperation;
                return;
            default:
                Escape(state, current);
                return;
        }

        var writes = _flow.WritesOf(creation, local);
        if (writes is null || writes.Count != 1)
        {
            // The local is given another object too: which one each write reaches is not followed.
            state.Escaped = true;
            return;
        }

        // A local is seen only inside the block that declares it.
        var block = declarationStatement?.Parent;
        foreach (var operation in OperationWalk.Descendants(block ?? PollyFlow.RootOf(creation), intoFunctions: true))
        {
            if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, local))
            {
                continue;
            }

            switch (reference.Parent)
            {
                case IPropertyReferenceOperation property when ReferenceEquals(property.Instance, reference):
                    if (property.Parent is ISimpleAssignmentOperation write && ReferenceEquals(write.Target, property))
                    {
                        bool definite = block is not null && write.Parent is IExpressionStatementOperation statement &&
                                        ReferenceEquals(statement.Parent, block);
                        state.Set(property.Property, write.Value, write, definite);
                    }

                    break;
                case ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Target, reference):
                    break;
                case IArgumentOperation argument when IsFrameworkCall(argument.Parent):
                    state.AddedBy ??= argument.Parent as IInvocationOperation;
                    break;
                case IConversionOperation { Parent: IArgumentOperation argument } when IsFrameworkCall(argument.Parent):
                    state.AddedBy ??= argument.Parent as IInvocationOperation;
                    break;
                default:
                    Escape(state, reference);
                    break;
            }
        }
    }

    /// <summary>
    /// The options object leaves the code this recognizer reads. Into a method of the same compilation (or
    /// returned, stored): the write index says which properties are set elsewhere. Into a method without source
    /// (configuration binding, a serializer, a mapper): any property may be set.
    /// </summary>
    private static void Escape(OptionsState state, IOperation use)
    {
        state.Escaped = true;
        var current = use;
        while (current.Parent is IConversionOperation or IParenthesizedOperation)
        {
            current = current.Parent;
        }

        if (current.Parent is IArgumentOperation { Parent: IInvocationOperation or IObjectCreationOperation } argument)
        {
            var method = argument.Parent is IInvocationOperation invocation ? invocation.TargetMethod : (argument.Parent as IObjectCreationOperation)?.Constructor;
            if (method is null || method.DeclaringSyntaxReferences.Length == 0)
            {
                state.Opaque = true;
            }
        }
    }

    /// <summary>A call into Polly or Microsoft.Extensions.*Resilience: it reads the options, it does not change them.</summary>
    private static bool IsFrameworkCall(IOperation? operation)
    {
        if (operation is not IInvocationOperation and not IObjectCreationOperation)
        {
            return false;
        }

        var method = operation is IInvocationOperation invocation ? invocation.TargetMethod : ((IObjectCreationOperation)operation).Constructor;
        string ns = method?.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return ns == "Polly" || ns.StartsWith("Polly.", StringComparison.Ordinal) ||
               ns.StartsWith("Microsoft.Extensions.Http.Resilience", StringComparison.Ordinal) ||
               ns.StartsWith("Microsoft.Extensions.Resilience", StringComparison.Ordinal) ||
               (ns == "Microsoft.Extensions.DependencyInjection" && method!.Name.IndexOf("Resilience", StringComparison.Ordinal) >= 0);
    }

    /// <summary><c>new RetryStrategyOptions&lt;T&gt;()</c> without its initializer: where option fixes act.</summary>
    private static Location CreationLocation(IObjectCreationOperation creation)
    {
        switch (creation.Syntax)
        {
            case ObjectCreationExpressionSyntax explicitNew:
            {
                int end = explicitNew.ArgumentList?.Span.End ?? explicitNew.Type.Span.End;
                return Location.Create(explicitNew.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(explicitNew.SpanStart, end));
            }

            case ImplicitObjectCreationExpressionSyntax implicitNew:
                return Location.Create(
                    implicitNew.SyntaxTree,
                    Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(implicitNew.SpanStart, implicitNew.ArgumentList.Span.End));
            default:
                return creation.Syntax.GetLocation();
        }
    }

    private RetryConstruct Evaluate(
        RetryKind kind,
        IOperation root,
        OptionsState state,
        bool isHttp,
        ITypeSymbol? resultType,
        Location location,
        bool standardHandler)
    {
        var tree = root.Syntax.SyntaxTree;
        var conditions = new PollyConditions(_symbols, _polly, IsResponse(resultType));

        // Statuses.
        var predicates = new List<Predicate>();
        var shouldHandle = state.Get("ShouldHandle");
        switch (shouldHandle.Kind)
        {
            case SettingKind.Known:
                CollectShouldHandle(shouldHandle.Value!, conditions, predicates, tree, WriteLocation(shouldHandle, tree, location));
                break;
            case SettingKind.Default:
                // Polly: every exception but OperationCanceledException. MEHR: 408, 429, 5xx and network failures.
                predicates.Add(isHttp
                    ? new Predicate(PollyConditions.Transient, location, root)
                    : new Predicate(conditions.ForException(_polly.Exception, null), location, root));
                break;
            default:
                predicates.Add(new Predicate(null, location, root));
                break;
        }

        // Bound.
        var bound = RetryBound.Unknown;
        var attempts = state.Get("MaxRetryAttempts");
        if (attempts.Kind == SettingKind.Default || (attempts.Kind == SettingKind.Known && attempts.Constant is int count && count != int.MaxValue))
        {
            bound = new RetryBound(BoundKind.AttemptCap, null);
        }
        else if (attempts.Kind == SettingKind.Known && attempts.Constant is int.MaxValue)
        {
            // The standard pipeline's total request timeout (30 s unless changed) still ends it.
            bound = standardHandler || (state.AddedBy is { TargetMethod.Name: "AddRetry" } addRetry && HasOuterTimeout(addRetry))
                ? new RetryBound(BoundKind.Deadline, null)
                : new RetryBound(BoundKind.Unbounded, WriteLocation(attempts, tree, location), "MaxRetryAttempts = int.MaxValue");
        }

        // Only results are handled (no exception retries): a backoff kept for non-429 statuses serves nothing when
        // the statuses are 429 alone.
        bool resultsOnly = shouldHandle.Kind == SettingKind.Known && !conditions.SawException;
        var delays = OptionsDelays(state, isHttp, location, tree, resultsOnly, standardHandler || !InStandalonePipelineWithoutTimeout(state));
        var onRetry = state.Get("OnRetry");
        bool changesRequest = onRetry.Kind == SettingKind.Unknown ||
                              (onRetry.Kind == SettingKind.Known && CallbackChangesRequest(onRetry.Value!));
        return Build(kind, root, delays, predicates, bound, changesRequest);
    }

    /// <summary>
    /// The options are added with <c>AddRetry</c> to a pipeline built with <c>new ResiliencePipelineBuilder…()</c> (not
    /// a resilience handler's builder, where the HttpClient's Timeout ends every wait), with no timeout outside the retry.
    /// </summary>
    private bool InStandalonePipelineWithoutTimeout(OptionsState state)
    {
        if (state.AddedBy is not { TargetMethod.Name: "AddRetry" } addRetry || HasOuterTimeout(addRetry))
        {
            return false;
        }

        IOperation? receiver = addRetry.Instance ?? FirstArgument(addRetry);
        for (int step = 0; step < 32 && receiver is not null; step++)
        {
            var unwrapped = PollyFlow.Unwrap(receiver);
            switch (unwrapped)
            {
                case IInvocationOperation link:
                    receiver = link.Instance ?? FirstArgument(link);
                    continue;
                case ILocalReferenceOperation local when _flow.SingleWrite(local) is { } initial:
                    receiver = initial;
                    continue;
                case IObjectCreationOperation creation:
                    return creation.Type is INamedTypeSymbol { Name: "ResiliencePipelineBuilder" } builder && IsPollyType(builder);
                default:
                    return false;
            }
        }

        return false;
    }

    private static Location WriteLocation(Setting setting, SyntaxTree tree, Location fallback) =>
        setting.Write is { } write && write.Syntax.SyntaxTree == tree ? write.Syntax.GetLocation() : fallback;

    /// <summary>
    /// <c>builder.AddTimeout(...).AddRetry(options)</c>, or <c>builder.AddTimeout(...);</c> before
    /// <c>builder.AddRetry(options);</c>: a timeout added before the retry is outside it and ends the retrying.
    /// </summary>
    private static bool HasOuterTimeout(IInvocationOperation addRetry)
    {
        var receiver = addRetry.Instance ?? FirstArgument(addRetry);
        for (int step = 0; step < 32 && receiver is not null; step++)
        {
            var unwrapped = PollyFlow.Unwrap(receiver);
            if (unwrapped is IInvocationOperation link)
            {
                if (link.TargetMethod.Name == "AddTimeout")
                {
                    return true;
                }

                receiver = link.Instance ?? FirstArgument(link);
                continue;
            }

            var builder = unwrapped switch
            {
                ILocalReferenceOperation local => (ISymbol)local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };
            return builder is not null && TimeoutAddedEarlier(builder, addRetry);
        }

        return false;
    }

    private static bool TimeoutAddedEarlier(ISymbol builder, IInvocationOperation addRetry)
    {
        foreach (var operation in OperationWalk.Descendants(PollyFlow.RootOf(addRetry), intoFunctions: true))
        {
            if (operation is not IInvocationOperation { TargetMethod.Name: "AddTimeout" } timeout ||
                timeout.Syntax.SpanStart >= addRetry.Syntax.SpanStart)
            {
                continue;
            }

            // The first link of the chain the timeout call sits on.
            IOperation? receiver = timeout;
            while (PollyFlow.Unwrap(receiver!) is IInvocationOperation link && (link.Instance ?? FirstArgument(link)) is { } next)
            {
                receiver = next;
            }

            var symbol = PollyFlow.Unwrap(receiver!) switch
            {
                ILocalReferenceOperation local => (ISymbol)local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };
            if (SymbolEqualityComparer.Default.Equals(symbol, builder))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A v8 <c>ShouldHandle</c>: a <c>PredicateBuilder</c> chain (each <c>Handle</c>/<c>HandleResult</c> a predicate),
    /// or a lambda over the retry arguments.
    /// </summary>
    private void CollectShouldHandle(IOperation value, PollyConditions conditions, List<Predicate> predicates, SyntaxTree tree, Location fallback)
    {
        var current = value;
        for (int step = 0; step < 64; step++)
        {
            var resolved = _flow.Resolve(current);
            switch (resolved)
            {
                case IObjectCreationOperation creation when IsPredicateBuilder(creation.Type):
                    return;

                case IInvocationOperation invocation when IsPredicateBuilder(invocation.TargetMethod.ContainingType):
                {
                    var method = invocation.TargetMethod;
                    var target = invocation.Arguments.Length == 1 ? _flow.DelegateTarget(invocation.Arguments[0].Value) : null;
                    var location = target is not null && target.Syntax.SyntaxTree == tree ? target.Syntax.GetLocation() : At(invocation, tree, fallback);
                    switch (method.Name)
                    {
                        case "Handle":
                        case "HandleInner":
                            predicates.Add(new Predicate(
                                conditions.ForException(method.TypeArguments.Length == 1 ? method.TypeArguments[0] : null, target is null ? null : FilterBody(target)),
                                location,
                                invocation));
                            break;
                        case "HandleResult":
                            predicates.Add(new Predicate(target is null ? null : conditions.WhenTrue(FilterBody(target)), location, invocation));
                            break;
                        default:
                            predicates.Add(new Predicate(null, fallback, invocation));
                            return;
                    }

                    if (invocation.Instance is null)
                    {
                        return;
                    }

                    current = invocation.Instance;
                    continue;
                }

                case IDelegateCreationOperation:
                case IAnonymousFunctionOperation:
                {
                    var target = _flow.DelegateTarget(resolved);
                    var location = target is not null && target.Syntax.SyntaxTree == tree ? target.Syntax.GetLocation() : fallback;
                    predicates.Add(new Predicate(target is null ? null : conditions.WhenTrue(FilterBody(target)), location, resolved));
                    return;
                }

                default:
                    predicates.Add(new Predicate(null, fallback, resolved));
                    return;
            }
        }
    }

    private bool IsPredicateBuilder(ITypeSymbol? type) =>
        KnownSymbols.IsOrDerives(type, _polly.PredicateBuilderOfT) || KnownSymbols.Is(type, _polly.PredicateBuilder);

    /// <summary>
    /// The waits of a v8 / MEHR options object: its <c>DelayGenerator</c>, the built-in backoff (used when there is
    /// no generator or the generator returns null), and MEHR's Retry-After handling.
    /// </summary>
    /// <param name="retryAfterBounded">
    /// Something ends MEHR's own Retry-After wait: the standard handler's total request timeout, an HttpClient's
    /// Timeout around a resilience handler, an outer timeout strategy (Polly ignores <c>MaxDelay</c> for generated delays).
    /// </param>
    private List<PendingDelay> OptionsDelays(OptionsState state, bool isHttp, Location location, SyntaxTree tree, bool resultsOnly, bool retryAfterBounded)
    {
        var delays = new List<PendingDelay>();
        var jitterSetting = state.Get("UseJitter");
        bool? jitter = jitterSetting.Kind switch
        {
            SettingKind.Default => isHttp,
            SettingKind.Known => jitterSetting.Constant as bool?,
            _ => null,
        };

        var retryAfterSetting = isHttp ? state.Get("ShouldRetryAfterHeader") : new Setting(SettingKind.Known);
        bool? headerHonoured = !isHttp ? false : retryAfterSetting.Kind switch
        {
            SettingKind.Default => true,
            SettingKind.Known => retryAfterSetting.Constant as bool?,
            _ => null,
        };

        bool builtInUsed = true;
        bool generatorReadsRetryAfter = false;
        var generator = state.Get("DelayGenerator");
        if (generator.Kind == SettingKind.Known && generator.Value is { } generatorValue && !IsNullConstant(generatorValue))
        {
            // An explicit generator replaces MEHR's Retry-After generator.
            headerHonoured = false;
            var target = _flow.DelegateTarget(generatorValue);
            var syntax = target is not null && target.Syntax.SyntaxTree == tree ? target.Syntax : generator.Write!.Syntax;
            TimeSpan? cap = null;
            var sources = target is null ? DelaySource.Unknown : TraceDelegate(target, unwrapValueTask: true, out builtInUsed, out cap);
            if (target is null)
            {
                builtInUsed = true;
            }

            generatorReadsRetryAfter = sources.Has(DelaySource.RetryAfter);
            delays.Add(new PendingDelay(syntax.GetLocation(), Display.Shorten(syntax.ToString()), sources, generatorValue) { Cap = cap });
            if (target is not null && generatorReadsRetryAfter)
            {
                delays.AddRange(FallbackDelays(target, unwrapValueTask: true, tree));
            }
        }
        else if (generator.Kind == SettingKind.Unknown)
        {
            delays.Add(new PendingDelay(location, "DelayGenerator", DelaySource.Unknown, null) { StatusesUnknown = true });
            return delays;
        }
        else if (generator.Kind == SettingKind.Known)
        {
            // DelayGenerator = null also removes MEHR's Retry-After generator.
            headerHonoured = false;
        }

        if (headerHonoured == true)
        {
            delays.Add(new PendingDelay(
                location,
                "Retry-After (ShouldRetryAfterHeader)",
                retryAfterBounded ? DelaySource.RetryAfter | DelaySource.Capped : DelaySource.RetryAfter,
                null));
        }

        if (!builtInUsed || IsZeroDelay(state.Get("Delay")))
        {
            return delays;
        }

        var backoff = state.Get("BackoffType");
        string backoffName = backoff.Kind switch
        {
            SettingKind.Default => isHttp ? "exponential" : "constant",
            SettingKind.Known when backoff.Constant is int value => BackoffName(value),
            _ => "configured",
        };

        var builtIn = DelaySource.Computed;
        if (backoffName == "exponential")
        {
            builtIn |= DelaySource.Exponential;
        }

        builtIn |= jitter switch
        {
            true => DelaySource.Random,
            false => DelaySource.None,
            null => DelaySource.Unknown,
        };

        var delaySetting = state.Get("Delay");
        if (delaySetting.Kind == SettingKind.Unknown)
        {
            builtIn |= DelaySource.Unknown;
        }
        else if (delaySetting.Kind == SettingKind.Known)
        {
            builtIn |= _tracer.Trace(delaySetting.Value) & (DelaySource.Random | DelaySource.Unknown);
        }

        string delayText = delaySetting.Kind == SettingKind.Known ? delaySetting.Value!.Syntax.ToString() : DefaultDelayText;
        string display = Display.Shorten(backoffName + " backoff of " + delayText + (jitter == false ? " without jitter" : string.Empty));

        // Where a fix acts: the assignment that turns Retry-After or jitter off, else the options object.
        var at = location;
        if (isHttp && retryAfterSetting.Kind == SettingKind.Known && retryAfterSetting.Constant is false)
        {
            at = WriteLocation(retryAfterSetting, tree, location);
        }
        else if (jitter == false && jitterSetting.Kind == SettingKind.Known)
        {
            at = WriteLocation(jitterSetting, tree, location);
        }

        var pending = new PendingDelay(at, display, builtIn, state.Get("Delay").Value) { LibraryRetryAfterUnbounded = isHttp && !retryAfterBounded };
        if (headerHonoured == true || generatorReadsRetryAfter)
        {
            // A 429's wait comes from Retry-After; the backoff serves the other statuses.
            pending.Excluded = StatusSet.Of(429);
            pending.DropWhenUnused = resultsOnly;
        }
        else if (headerHonoured is null)
        {
            pending.StatusesUnknown = true;
        }

        delays.Add(pending);
        return delays;
    }

    private string BackoffName(int value)
    {
        if (_polly.DelayBackoffType is { } type)
        {
            foreach (var member in type.GetMembers())
            {
                if (member is IFieldSymbol { HasConstantValue: true, ConstantValue: int constant } field && constant == value)
                {
                    return field.Name.ToLowerInvariant();
                }
            }
        }

        return "configured";
    }

    /// <summary><c>Delay = TimeSpan.Zero</c>: immediate retries, no wait to jitter.</summary>
    private static bool IsZeroDelay(Setting delay)
    {
        if (delay.Kind != SettingKind.Known || delay.Value is null)
        {
            return false;
        }

        var value = PollyFlow.Unwrap(delay.Value);
        return value switch
        {
            IFieldReferenceOperation { Field.Name: "Zero", Field.ContainingType.Name: "TimeSpan" } => true,
            IInvocationOperation { TargetMethod.ContainingType.Name: "TimeSpan", Arguments.Length: 1 } factory when
                factory.TargetMethod.Name.StartsWith("From", StringComparison.Ordinal) &&
                factory.Arguments[0].Value.ConstantValue is { HasValue: true, Value: var zero } && IsZero(zero) => true,
            _ => false,
        };
    }

    private static bool IsZero(object? value) => value switch
    {
        int i => i == 0,
        long l => l == 0,
        double d => d == 0,
        _ => false,
    };
}
