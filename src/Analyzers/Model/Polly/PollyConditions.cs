using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model.Polly;

/// <summary>
/// The statuses a Polly predicate lets through to another attempt: <c>HandleResult</c>/<c>OrResult</c> lambdas
/// over <c>HttpResponseMessage</c>, v8 <c>ShouldHandle</c> lambdas over <c>args.Outcome</c> (conditions,
/// patterns, <c>switch</c> expressions, <c>PredicateResult</c>, <c>ValueTask</c> wrappers) and the known
/// transient-error predicates. Built on <see cref="StatusConditions"/>; unknown is null, never a guess.
/// </summary>
internal sealed class PollyConditions
{
    /// <summary>408, 429 and 500–599: Microsoft.Extensions.Http.Resilience's transient statuses.</summary>
    public static readonly StatusSet Transient = StatusSet.Of(408, 429).Union(StatusSet.Range(500, StatusSet.Max));

    /// <summary>408 and 500–599: Polly.Extensions.Http's <c>HandleTransientHttpError</c> (no 429).</summary>
    public static readonly StatusSet TransientNo429 = StatusSet.Of(408).Union(StatusSet.Range(500, StatusSet.Max));

    private readonly KnownSymbols _symbols;
    private readonly KnownPollySymbols _polly;
    private readonly StatusConditions _statuses;
    private readonly bool _responseResults;

    /// <param name="responseResults">
    /// The policy's results are <c>HttpResponseMessage</c>s: an HTTP status arrives as a result, so a handled
    /// exception (a network failure, a timeout) carries none.
    /// </param>
    public PollyConditions(KnownSymbols symbols, KnownPollySymbols polly, bool responseResults)
    {
        _symbols = symbols;
        _polly = polly;
        _statuses = new StatusConditions(symbols);
        _responseResults = responseResults;
    }

    /// <summary>
    /// The statuses an exception filter lets through: none when results carry the statuses or the exception
    /// type carries none; unknown when the exception may carry one (<c>EnsureSuccessStatusCode</c>,
    /// <c>GetStringAsync</c>) unless a filter over its <c>StatusCode</c> says which.
    /// </summary>
    public StatusSet? ForException(ITypeSymbol? exceptionType, IOperation? filterBody)
    {
        if (_responseResults || IsStatusFree(exceptionType))
        {
            return StatusSet.Empty;
        }

        if (filterBody is not null && WhenTrue(filterBody) is { } filtered)
        {
            return filtered;
        }

        return null;
    }

    private bool IsStatusFree(ITypeSymbol? type)
    {
        if (type is null || type.TypeKind == TypeKind.Error)
        {
            return false;
        }

        // The exception may be (or be a base of) HttpRequestException: it may carry a status.
        if (_polly.HttpRequestException is { } http &&
            (KnownSymbols.IsOrDerives(http, type as INamedTypeSymbol) || KnownSymbols.IsOrDerives(type, http)))
        {
            return false;
        }

        for (var current = type; current is not null; current = current.BaseType)
        {
            switch (current.ToDisplayString())
            {
                case "System.OperationCanceledException":
                case "System.TimeoutException":
                case "System.Net.Sockets.SocketException":
                case "System.IO.IOException":
                case "System.Text.Json.JsonException":
                case "Polly.Timeout.TimeoutRejectedException":
                case "Polly.CircuitBreaker.BrokenCircuitException":
                case "Polly.ExecutionRejectedException":
                    return true;
            }
        }

        return false;
    }

    /// <summary>The statuses for which a predicate's returned value says "handle", or null.</summary>
    public StatusSet? WhenTrue(IOperation? operation)
    {
        if (operation is null)
        {
            return null;
        }

        operation = PollyFlow.Unwrap(operation);
        if (operation.ConstantValue is { HasValue: true, Value: bool constant })
        {
            return constant ? StatusSet.All : StatusSet.Empty;
        }

        switch (operation)
        {
            case IBlockOperation block:
            {
                var returned = PollyFlow.ReturnedValues(block);
                return returned.Count == 1 ? WhenTrue(returned[0]) : null;
            }

            case IAwaitOperation awaited:
                return WhenTrue(awaited.Operation);

            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return WhenTrue(not.Operand)?.Complement();

            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and:
            {
                var left = WhenTrue(and.LeftOperand);
                var right = WhenTrue(and.RightOperand);
                return left is { } l ? (right is { } r ? l.Intersect(r) : l) : right;
            }

            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } or:
            {
                var left = WhenTrue(or.LeftOperand);
                var right = WhenTrue(or.RightOperand);
                return left is { } l && right is { } r ? l.Union(r) : null;
            }

            case IBinaryOperation binary when IsExceptionValue(binary.LeftOperand) || IsExceptionValue(binary.RightOperand):
                // outcome.Exception != null: an exception, not a response status.
                return ExceptionOnly();

            case IObjectCreationOperation creation when IsBoolWrapper(creation.Type) && creation.Arguments.Length == 1:
                // new ValueTask<bool>(condition)
                return WhenTrue(creation.Arguments[0].Value);

            case IInvocationOperation invocation:
                return Invocation(invocation);

            case IIsPatternOperation pattern:
                return IsPattern(pattern.Value, pattern.Pattern);

            case IIsTypeOperation isType when IsExceptionValue(isType.ValueOperand):
                return ExceptionOnly();

            case ISwitchExpressionOperation @switch:
                return Switch(@switch);

            case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
            {
                var condition = WhenTrue(conditional.Condition);
                var whenTrue = WhenTrue(conditional.WhenTrue);
                var otherwise = WhenTrue(whenFalse);
                if (condition is not { } c || whenTrue is not { } t || otherwise is not { } f)
                {
                    return null;
                }

                return c.Intersect(t).Union(c.Complement().Intersect(f));
            }

            default:
                return _statuses.WhenTrue(operation);
        }
    }

    private StatusSet? ExceptionOnly() => _responseResults ? StatusSet.Empty : null;

    private bool IsExceptionValue(IOperation operation)
    {
        operation = PollyFlow.Unwrap(operation);
        return operation is not ILiteralOperation && _polly.IsException(operation.Type);
    }

    private bool IsBoolWrapper(ITypeSymbol? type) =>
        type is INamedTypeSymbol { TypeArguments.Length: 1 } named &&
        (KnownSymbols.Is(named, _polly.ValueTaskOfT) || KnownSymbols.Is(named, _polly.TaskOfT)) &&
        named.TypeArguments[0].SpecialType == SpecialType.System_Boolean;

    private StatusSet? Invocation(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType;

        if (KnownSymbols.Is(type, _polly.PredicateResult))
        {
            return method.Name switch
            {
                "True" => StatusSet.All,
                "False" => StatusSet.Empty,
                _ => null,
            };
        }

        if (method.Name == "FromResult" && invocation.Arguments.Length == 1 &&
            (KnownSymbols.Is(type, _polly.ValueTask) || type?.ToDisplayString() == "System.Threading.Tasks.Task"))
        {
            return WhenTrue(invocation.Arguments[0].Value);
        }

        if (KnownSymbols.Is(type, _polly.HttpClientResiliencePredicates))
        {
            return method.Name switch
            {
                "IsTransient" or "IsTransientHttpFailure" => _responseResults ? Transient : null,
                "IsTransientHttpException" => ExceptionOnly(),
                _ => null,
            };
        }

        return _statuses.WhenTrue(invocation);
    }

    /// <summary>The statuses for which <c>value is pattern</c> holds, by what the value is.</summary>
    private StatusSet? IsPattern(IOperation value, IPatternOperation pattern)
    {
        if (_statuses.IsStatusSubject(value))
        {
            return _statuses.Matching(pattern);
        }

        var type = PollyFlow.Unwrap(value).Type;
        if (_polly.IsOutcome(type))
        {
            return OutcomePattern(pattern);
        }

        if (IsResponse(type))
        {
            return ResponsePattern(pattern);
        }

        if (_polly.IsException(type))
        {
            return ExceptionOnly();
        }

        return null;
    }

    private bool IsResponse(ITypeSymbol? type) => KnownSymbols.IsOrDerives(type, _symbols.HttpResponseMessage);

    /// <summary>A pattern over <c>Outcome&lt;HttpResponseMessage&gt;</c>: its <c>Result</c> and <c>Exception</c>.</summary>
    private StatusSet? OutcomePattern(IPatternOperation pattern)
    {
        switch (pattern)
        {
            case IDiscardPatternOperation:
                return StatusSet.All;
            case IDeclarationPatternOperation { MatchesNull: true }:
                return StatusSet.All;
            case INegatedPatternOperation negated:
                return OutcomePattern(negated.Pattern)?.Complement();
            case IBinaryPatternOperation binary:
                return Combine(binary, OutcomePattern(binary.LeftPattern), OutcomePattern(binary.RightPattern));
            case IRecursivePatternOperation recursive:
            {
                StatusSet? result = null;
                bool any = false;
                foreach (var subpattern in recursive.PropertySubpatterns)
                {
                    var part = OutcomeMember(subpattern.Member, subpattern.Pattern);
                    if (part is null)
                    {
                        return null;
                    }

                    any = true;
                    result = result is { } r ? r.Intersect(part.Value) : part;
                }

                return any ? result : StatusSet.All;
            }

            default:
                return null;
        }
    }

    /// <summary><c>Result: ...</c>, <c>Result.StatusCode: ...</c>, <c>Exception: ...</c> inside an outcome pattern.</summary>
    private StatusSet? OutcomeMember(IOperation member, IPatternOperation pattern)
    {
        var path = MemberPath(member);
        if (path is null || path.Count == 0)
        {
            return null;
        }

        switch (path[0].Name)
        {
            case "Exception":
                if (path.Count == 1 && pattern is IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } })
                {
                    // Exception: null matches every result.
                    return StatusSet.All;
                }

                return ExceptionOnly();
            case "Result" when path.Count == 1:
                return ResponsePattern(pattern);
            case "Result" when path.Count == 2:
                return ResponseMember(path[1], pattern);
            default:
                return null;
        }
    }

    /// <summary>A pattern over an <c>HttpResponseMessage</c>.</summary>
    private StatusSet? ResponsePattern(IPatternOperation pattern)
    {
        switch (pattern)
        {
            case IDiscardPatternOperation:
                return StatusSet.All;
            case IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } }:
                return StatusSet.Empty;
            case ITypePatternOperation:
            case IDeclarationPatternOperation:
                return StatusSet.All;
            case INegatedPatternOperation negated:
                return ResponsePattern(negated.Pattern)?.Complement();
            case IBinaryPatternOperation binary:
                return Combine(binary, ResponsePattern(binary.LeftPattern), ResponsePattern(binary.RightPattern));
            case IRecursivePatternOperation recursive:
            {
                // Parts about something else ({ Content: not null }) narrow nothing about statuses.
                StatusSet? result = null;
                foreach (var subpattern in recursive.PropertySubpatterns)
                {
                    var path = MemberPath(subpattern.Member);
                    var part = path is { Count: 1 } ? ResponseMember(path[0], subpattern.Pattern) : null;
                    if (part is { } p)
                    {
                        result = result is { } r ? r.Intersect(p) : p;
                    }
                }

                return recursive.PropertySubpatterns.Length == 0 ? StatusSet.All : result;
            }

            default:
                return null;
        }
    }

    private StatusSet? ResponseMember(ISymbol member, IPatternOperation pattern)
    {
        switch (member.Name)
        {
            case "StatusCode":
                return _statuses.Matching(pattern);
            case "IsSuccessStatusCode":
                return pattern is IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: bool success } }
                    ? (success ? StatusSet.Success : StatusSet.Success.Complement())
                    : null;
            default:
                return null;
        }
    }

    private static StatusSet? Combine(IBinaryPatternOperation binary, StatusSet? left, StatusSet? right)
    {
        if (left is not { } l || right is not { } r)
        {
            return null;
        }

        return binary.OperatorKind == BinaryOperatorKind.Or ? l.Union(r) : l.Intersect(r);
    }

    /// <summary>
    /// The properties a (possibly extended) property subpattern names, outermost first:
    /// <c>Result.StatusCode</c> gives [Result, StatusCode].
    /// </summary>
    private static System.Collections.Generic.List<ISymbol>? MemberPath(IOperation member)
    {
        var path = new System.Collections.Generic.List<ISymbol>();
        var current = member;
        while (current is IPropertyReferenceOperation or IFieldReferenceOperation)
        {
            if (current is IPropertyReferenceOperation property)
            {
                path.Insert(0, property.Property);
                current = property.Instance;
            }
            else
            {
                var field = (IFieldReferenceOperation)current;
                path.Insert(0, field.Field);
                current = field.Instance;
            }

            if (current is null or IInstanceReferenceOperation)
            {
                return path;
            }
        }

        return current is null or IInstanceReferenceOperation ? path : null;
    }

    /// <summary>
    /// <c>args.Outcome switch { pattern => handle?, ... }</c>: an arm is taken for what its pattern matches and
    /// no earlier pattern did; the statuses handled are those of the taken arms that say "handle".
    /// </summary>
    private StatusSet? Switch(ISwitchExpressionOperation @switch)
    {
        var handled = StatusSet.Empty;
        var earlier = StatusSet.Empty;
        foreach (var arm in @switch.Arms)
        {
            if (arm.Guard is not null)
            {
                return null;
            }

            var matched = IsPattern(@switch.Value, arm.Pattern);
            var verdict = WhenTrue(arm.Value);
            if (matched is not { } m || verdict is not { } v)
            {
                return null;
            }

            var taken = m.Intersect(earlier.Complement());
            handled = handled.Union(taken.Intersect(v));
            earlier = earlier.Union(m);
        }

        return handled;
    }
}
