using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model;

internal static class OperationWalk
{
    /// <summary>
    /// The operations below <paramref name="root"/>, depth first, without recursion. With
    /// <paramref name="intoFunctions"/> false, lambdas and local functions are not entered: their code runs
    /// when somebody calls them, not where they are written.
    /// </summary>
    public static IEnumerable<IOperation> Descendants(IOperation root, bool intoFunctions)
    {
        var stack = new Stack<IOperation>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            if (!ReferenceEquals(current, root))
            {
                yield return current;
                if (!intoFunctions && current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    continue;
                }
            }

            var children = new List<IOperation>();
            foreach (var child in current.ChildOperations)
            {
                children.Add(child);
            }

            for (int i = children.Count - 1; i >= 0; i--)
            {
                stack.Push(children[i]);
            }
        }
    }

    /// <summary>True when <paramref name="operation"/> lies inside <paramref name="ancestor"/> (or is it).</summary>
    public static bool IsWithin(IOperation operation, IOperation ancestor)
    {
        for (var current = operation; current is not null; current = current.Parent)
        {
            if (ReferenceEquals(current, ancestor))
            {
                return true;
            }
        }

        return false;
    }
}
