
westvale"*Default ASB case review policy (LLR model)*¾
+6 months1 month"(2:@b
5 working days10 working days25 working days"5 working days*20 working days21 working dayA
off-council-1westvale-councilCommunity Safety Officer 1 (?
off-council-2westvale-councilCommunity Safety Officer 2(=
off-police-1westvale-policeNeighbourhood Sergeant 1 (=
off-police-2westvale-policeNeighbourhood Sergeant 2 (@
off-homes-1westvale-homesTenancy Enforcement Officer 1 ("g(The case review process was not followed9The outcome did not consider all the information provided