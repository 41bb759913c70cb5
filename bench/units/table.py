"""Tables of docs/units.md from the reports of `neurotopics run`.

For each model (a label, its λ and the metrics.json holding its captions) it
reads the units of every seed's interpret stage (RUN/stages/interpret-lambdaλ-seedS-*/units.json,
the newest folder of each) and prints, mean ± sd over the seeds: units, live
units, detectors (IoU > 0.5), units that detect a concept and agree with
their label (of all units, of live ones), concepts detected, detectors per
family, CIDEr-D and the share of each family's mentions that are right.

Usage (after each `run` that writes the models' metrics.json):
  /usr/bin/python3 bench/units/table.py RUN "baseline, λ = 0|0|RUN/metrics.json" "topic units|0.5|RUN/metrics.json"
"""
import glob, json, os, statistics as st, sys
run=sys.argv[1]
fams=['shape','color','size','motion','count','background']
def ms(v, d=3):
    if len(v)==1: return f"{v[0]:.{d}f}"
    return f"{st.mean(v):.{d}f} ± {st.stdev(v):.{d}f}"
rows=[]
for spec in sys.argv[2:]:
    label, lam, mf = spec.split('|')
    m=json.load(open(mf))
    vals={k:[] for k in ['N','alive','det','both','bothlive','conc','cider']+['f_'+f for f in fams]+['a_'+f for f in fams]}
    for seed in (1,2,3):
        name=f"lambda{lam}-seed{seed}"
        ds=glob.glob(f"{run}/stages/interpret-{name}-*")
        if not ds: continue
        d=max(ds,key=os.path.getmtime)
        u=json.load(open(d+'/units.json'))['units']
        N=len(u); alive=sum(1 for x in u if x['active']>0)
        det=[x for x in u if x.get('iou',0)>0.5]; both=[x for x in det if x['agrees']]
        vals['N'].append(N); vals['alive'].append(alive); vals['det'].append(len(det)); vals['both'].append(len(both)/N); vals['bothlive'].append(len(both)/max(alive,1))
        vals['conc'].append(len(set(x['concept'] for x in det)))
        for f in fams: vals['f_'+f].append(sum(1 for x in det if x['concept'].split(':')[0]==f))
        cap=m['captioning']['models'][name]; vals['cider'].append(cap['CIDEr-D'])
        fa={x['family']:x['accuracy'] for x in m['captioning']['families'][name]}
        for f in fams: vals['a_'+f].append(fa.get(f,0))
    rows.append((label,vals))
print("| model | units | live | detectors (IoU > 0.5) | detect and agree: of all / of live | concepts detected | " + " | ".join(f"{f} detectors" for f in fams) + " | CIDEr-D | " + " | ".join(f"{f} named right" for f in fams)+" |")
print("|"+"---|"*(6+len(fams)+1+len(fams)))
for label,v in rows:
    print(f"| {label} | {v['N'][0]} | {ms(v['alive'],1)} | {ms(v['det'],1)} | {ms(v['both'],3)} / {ms(v['bothlive'],2)} | {ms(v['conc'],1)} | " + " | ".join(ms(v['f_'+f],1) for f in fams) + f" | {ms(v['cider'])} | " + " | ".join(ms(v['a_'+f]) for f in fams)+" |")
